import { randomBytes } from 'node:crypto';

/**
 * Ownership labels. Every Docker resource otto-ts creates carries them, and cleanup touches only
 * resources that carry them: a resource without `otto.owner=otto-ts` is never ours.
 */
export const OWNER_LABEL = 'otto.owner';
export const OWNER_VALUE = 'otto-ts';
export const RUN_LABEL = 'otto.run';
export const PROCESS_LABEL = 'otto.process';
export const PURPOSE_LABEL = 'otto.purpose';
/** On images built from a recipe: the recipe's hash. */
export const RECIPE_LABEL = 'otto.recipe';

/** Identifies this process's run: every resource it creates carries it. */
export const RUN_ID = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/** The labels for a resource created now by this process for `purpose`. */
export function ownershipLabels(
  purpose: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    [OWNER_LABEL]: OWNER_VALUE,
    [RUN_LABEL]: RUN_ID,
    [PROCESS_LABEL]: `${process.pid}@${process.env.HOSTNAME ?? 'local'}`,
    [PURPOSE_LABEL]: purpose,
    ...extra,
  };
}

/** Labels for cached images: owner, purpose and recipe only, so that they do not vary by run. */
export function imageLabels(purpose: string, recipeHash: string): Record<string, string> {
  return { [OWNER_LABEL]: OWNER_VALUE, [PURPOSE_LABEL]: purpose, [RECIPE_LABEL]: recipeHash };
}
