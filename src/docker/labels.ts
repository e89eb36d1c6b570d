import { randomBytes } from 'node:crypto';
import { currentIdentity, type ProcessIdentity } from './ownership/process-identity.js';

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
/** How long a resource lives: {@link Lifetime}. */
export const LIFETIME_LABEL = 'otto.lifetime';
/** The owning process's pid. */
export const PID_LABEL = 'otto.pid';
/** The owning process's start time (field 22 of `/proc/<pid>/stat`), so a reused pid is not it. */
export const PID_START_LABEL = 'otto.pid-start';
/** The boot id of the owner's machine: another boot means the owner is gone. */
export const BOOT_LABEL = 'otto.boot';
/** The owner's pid namespace: pids of other namespaces are not comparable. */
export const PID_NAMESPACE_LABEL = 'otto.pidns';
/** A hash of the owner's machine id: owners on other machines are never judged from here. */
export const MACHINE_LABEL = 'otto.machine';

/**
 * `process`: removed once the owning process is gone (by its watchdog, a sweep or
 * `otto docker clean`). `kept`: outlives its owner and is never reaped (stacks of
 * `otto docker up`, cached images, reused fixtures).
 */
export type Lifetime = 'process' | 'kept';

/** Options of {@link ownershipLabels}. */
export interface OwnershipOptions {
  /** How long the resource lives. @default 'process' */
  lifetime?: Lifetime;
  /**
   * The process whose end removes it (lifetime `process`): another than this one for resources
   * shared by a run's workers, which the run's main process owns. @default this process
   */
  owner?: ProcessIdentity;
}

/** Identifies this process's run: every resource it creates carries it. */
export const RUN_ID = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/**
 * The labels for a resource created now by this process for `purpose`: owner, run, process,
 * purpose, lifetime and the owner's identity.
 * @example ownershipLabels('compose-stack', {}, { lifetime: 'kept' })
 */
export function ownershipLabels(
  purpose: string,
  extra: Record<string, string> = {},
  options: OwnershipOptions = {},
): Record<string, string> {
  return {
    [OWNER_LABEL]: OWNER_VALUE,
    [RUN_LABEL]: RUN_ID,
    [PROCESS_LABEL]: `${options.owner?.pid ?? process.pid}@${process.env.HOSTNAME ?? 'local'}`,
    [PURPOSE_LABEL]: purpose,
    ...identityLabels(options.owner ?? currentIdentity()),
    ...extra,
    [LIFETIME_LABEL]: options.lifetime ?? extra[LIFETIME_LABEL] ?? 'process',
  };
}

/** Labels for cached images: owner, purpose and recipe only, so that they do not vary by run; kept. */
export function imageLabels(purpose: string, recipeHash: string): Record<string, string> {
  return {
    [OWNER_LABEL]: OWNER_VALUE,
    [PURPOSE_LABEL]: purpose,
    [RECIPE_LABEL]: recipeHash,
    [LIFETIME_LABEL]: 'kept',
  };
}

/** The lifetime a set of labels asks for: `kept` only when `otto.lifetime` says so. */
export function lifetimeOf(labels: Record<string, string> = {}): Lifetime {
  return labels[LIFETIME_LABEL] === 'kept' ? 'kept' : 'process';
}

/** The labels that record an owner's identity. */
export function identityLabels(identity: ProcessIdentity): Record<string, string> {
  return {
    [PID_LABEL]: identity.pid,
    [PID_START_LABEL]: identity.startTicks,
    [BOOT_LABEL]: identity.bootId,
    [PID_NAMESPACE_LABEL]: identity.pidNamespace,
    [MACHINE_LABEL]: identity.machine,
  };
}

/** The owner's identity as a resource's labels record it (empty fields where labels are missing). */
export function identityOf(labels: Record<string, string>): ProcessIdentity {
  return {
    pid: labels[PID_LABEL] ?? '',
    startTicks: labels[PID_START_LABEL] ?? '',
    bootId: labels[BOOT_LABEL] ?? '',
    pidNamespace: labels[PID_NAMESPACE_LABEL] ?? '',
    machine: labels[MACHINE_LABEL] ?? '',
  };
}
