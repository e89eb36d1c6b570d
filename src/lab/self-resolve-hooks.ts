/**
 * Module hooks for user modules (see user-modules.ts), running before the TypeScript loader's:
 * `otto-ts` resolves as usual, and to the running otto-ts when the user's folder does not have
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

let self = '';

/** Receives the URL of the running otto-ts entry point. */
export function initialize(data: { self: string }): void {
  self = data.self;
}

/** Falls back to the running otto-ts for `otto-ts` when normal resolution fails. */
export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: NextResolve,
): Promise<Resolved> {
  try {
    const resolved = await next(specifier, context);
    return USER_TYPESCRIPT.test(resolved.url) ? { ...resolved, format: 'module' } : resolved;
  } catch (error) {
    if (specifier !== 'otto-ts' || self === '') throw error;
    return { url: self, shortCircuit: true };
  }
}
