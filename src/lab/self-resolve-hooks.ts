/**
 * Module hooks for user modules (see user-modules.ts), running before the TypeScript loader's:
 * `otto-ts` (and `otto-ts/vitest`, `otto-ts/playwright`) resolves as usual, and to the running
 * otto-ts when the user's folder does not have
 * it; a user's `.ts` file outside node_modules is an ES module even when no package.json says
 * `"type": "module"` (init modules are written with import and export).
 */

interface ResolveContext {
  parentURL?: string;
}
interface Resolved {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<Resolved>;

const USER_TYPESCRIPT = /^file:(?!.*\/node_modules\/).*\.tsx?$/;

let entries: Record<string, string> = {};

/** Receives the URLs of the running otto-ts's entry points (`otto-ts`, `otto-ts/vitest`...). */
export function initialize(data: { entries: Record<string, string> }): void {
  entries = data.entries;
}

/** Falls back to the running otto-ts for its entry points when normal resolution fails. */
export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: NextResolve,
): Promise<Resolved> {
  try {
    const resolved = await next(specifier, context);
    return USER_TYPESCRIPT.test(resolved.url) ? { ...resolved, format: 'module' } : resolved;
  } catch (error) {
    const url = entries[specifier];
    if (url === undefined) throw error;
    return { url, shortCircuit: true };
  }
}
