import { register } from 'node:module';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InstructionError } from '../errors.js';
import { pathExists } from '../common/path-exists.js';

/**
 * Loads user code (repo `init` modules, reservation backends) as it is, TypeScript or
 * JavaScript, without a build step: TypeScript goes through tsx's loader, registered once when
 * the first user module loads (never for commands that load none). A user module may `import 'otto-ts'` without installing it:
 * when its own resolution fails, the specifier resolves to the running otto-ts.
 */

/** File extensions tried, in order, for a module named without one. */
export const USER_MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs'] as const;

let typescriptReady: Promise<void> | undefined;
let selfResolveReady = false;

/**
 * Finds a module named in settings: a path (relative to `root`), with or without its extension,
 * or a dotted module name looked up in `searchDirs` then `root` (as otto's `init` names).
 * @example await findUserModule('deploy_instructions', '/repo', ['/repo/lib']);
 */
export async function findUserModule(
  name: string,
  root: string,
  searchDirs: readonly string[] = [],
): Promise<string> {
  const bases = isAbsolute(name)
    ? [name]
    : [
        resolve(root, name),
        ...[...searchDirs, root].map((dir) => join(dir, name.replaceAll('.', '/'))),
      ];
  const tried: string[] = [];
  for (const base of bases) {
    const candidates = extname(base)
      ? [base]
      : [
          ...USER_MODULE_EXTENSIONS.map((ext) => base + ext),
          ...USER_MODULE_EXTENSIONS.map((ext) => join(base, `index${ext}`)),
        ];
    for (const candidate of candidates) {
      if (await pathExists(candidate)) return candidate;
      tried.push(candidate);
    }
  }
  throw new InstructionError(
    'MODULE_NOT_FOUND',
    `Cannot find the module "${name}" of repo ${root}: none of ${[...new Set(bases)].join(', ')} exists with extension ${USER_MODULE_EXTENSIONS.join(', ')}.`,
    {
      fix: 'name a .ts or .js file relative to the repo root (e.g. init = ["${sutDir}/otto/init.ts"]).',
    },
  );
}

/**
 * Imports a user module file and returns its exports. Errors thrown while it loads (syntax,
 * a failing import, a throw at top level) become an {@link InstructionError} `MODULE_LOAD_FAILED`
 * naming the file.
 * @example const exports = await importUserModule('/repo/otto/init.ts');
 */
export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  // The TypeScript loader first, so that our hooks (registered last) run before its own.
  await ensureTypescript();
  ensureSelfResolve();
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InstructionError('MODULE_LOAD_FAILED', `Cannot load the module ${path}: ${reason}`, {
      cause: error,
    });
  }
}

function ensureTypescript(): Promise<void> {
  typescriptReady ??= import('tsx/esm/api').then(({ register: registerTsx }) => {
    registerTsx();
  });
  return typescriptReady;
}

/** Lets user modules import 'otto-ts' without installing it (see the file comment). */
function ensureSelfResolve(): void {
  if (selfResolveReady) return;
  selfResolveReady = true;
  const hooks = new URL('./self-resolve-hooks.js', import.meta.url);
  const self = new URL('../index.js', import.meta.url).href;
  // Only the built package has a JavaScript hooks file next to it; from sources, skip.
  if (!hooks.pathname.endsWith('/dist/lab/self-resolve-hooks.js')) return;
  register(hooks, { data: { self } });
}
