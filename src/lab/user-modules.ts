import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import Module, { register } from 'node:module';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, InstructionError } from '../errors.js';
import { pathExists } from '../common/path-exists.js';
import { describeFrame, userFrameOf } from '../common/stack-frames.js';

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
  // A dotted module name (otto's `deploy.instructions`) is looked up in the search folders; a
  // path (with a slash or an extension) is only a path.
  const isPath = isAbsolute(name) || name.includes('/') || hasModuleExtension(name);
  const bases = isPath
    ? [resolve(root, name)]
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
  const names = [...new Set(bases)].join(', ');
  throw new ConfigError(
    'USER_MODULE_NOT_FOUND',
    `Cannot find the module "${name}" of repo ${root}: ${
      hasModuleExtension(name)
        ? `${names} does not exist.`
        : `none of ${names} exists with extension ${USER_MODULE_EXTENSIONS.join(', ')}.`
    }`,
    {
      fix: 'name a .ts or .js file relative to the repo root (e.g. init = ["${sutDir}/otto/init.ts"]).',
    },
  );
}

function hasModuleExtension(name: string): boolean {
  return (USER_MODULE_EXTENSIONS as readonly string[]).includes(extname(name));
}

/**
 * Imports a user module file and returns its exports. A module that does not compile (a syntax
 * error, with the compiler's message, file, line and column) or imports what does not exist is a
 * {@link ConfigError} `USER_MODULE_INVALID`; a throw while it runs its top level is an
 * {@link InstructionError} `MODULE_LOAD_FAILED` saying where. Both name the file.
 * @example const exports = await importUserModule('/repo/otto/init.ts');
 */
export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  // The TypeScript loader first, so that our hooks (registered last) run before its own.
  await ensureTypescript();
  ensureSelfResolve();
  // A CommonJS module in the graph (see selfResolveForRequire) that throws rejects the import and
  // a second, internal promise with the same error: that one is ours to report, not a crash.
  let failed: unknown;
  const stray = (reason: unknown) => {
    if (reason !== failed) throw reason;
  };
  process.on('unhandledRejection', stray);
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    failed = error;
    throw await loadFailure(path, error);
  } finally {
    setImmediate(() => process.off('unhandledRejection', stray));
  }
}

/** Fields of esbuild's errors (what tsx throws for TypeScript that does not compile). */
interface CompilerMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText: string } | null;
}

async function loadFailure(path: string, error: unknown): Promise<Error> {
  const head = `Cannot load the module ${path}`;
  const fix = 'correct the module (or what it imports), then run otto again.';
  const compiler = await compilerMessageOf(error);
  if (compiler) return syntaxError(head, compiler.text, compiler.location ?? undefined, error);
  if (error instanceof SyntaxError) {
    const located = isTypeScript(path) ? undefined : await checkSyntax(path);
    if (located) return syntaxError(head, located.text, located.location, error);
    // The module itself compiles: the error is in one it imports, which Node does not name.
    return new ConfigError(
      'USER_MODULE_INVALID',
      `${head}: ${error.message.startsWith('The requested module') ? '' : 'syntax error in a module it imports: '}${firstLine(error)}`,
      { fix, cause: error },
    );
  }
  if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND')
    return new ConfigError('USER_MODULE_INVALID', `${head}: ${firstLine(error)}`, {
      fix,
      cause: error,
    });
  const where = userPlaceOf(error);
  // A declaration otto-ts refused (defineInstruction with a bad name): still the user's mistake.
  // Its whole summary: a declaration's problems are listed below its first line.
  if (error instanceof ConfigError)
    return new ConfigError(
      'USER_MODULE_INVALID',
      `${head}${where ? ` (at ${where})` : ''}: ${summaryOf(error)}`,
      { fix: error.details.fix ?? fix, cause: error },
    );
  return new InstructionError(
    'MODULE_LOAD_FAILED',
    `${head}: it threw while loading${where ? ` (at ${where})` : ''}: ${firstLine(error)}`,
    { cause: error },
  );
}

/**
 * esbuild's message, from its error objects or, when the error crossed the loader's thread and
 * lost them, from its text: `Transform failed with 1 error:\n<file>:<line>:<column>: ERROR: <text>`.
 */
async function compilerMessageOf(error: unknown): Promise<CompilerMessage | undefined> {
  const first = (error as { errors?: CompilerMessage[] }).errors?.[0];
  if (first) return first;
  const message = error instanceof Error ? error.message : '';
  const match = /^Transform failed with \d+ errors?:\n(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(
    message,
  );
  if (!match) return undefined;
  const [, file, line, column, text] = match;
  const source = await readFile(file!, 'utf8').catch(() => '');
  const lineText = source.split('\n')[Number(line) - 1] ?? '';
  return {
    text: text!,
    location: { file: file!, line: Number(line), column: Number(column), lineText },
  };
}

function syntaxError(
  head: string,
  text: string,
  location: CompilerMessage['location'] | undefined,
  cause: unknown,
): ConfigError {
  const at = location ? ` at ${location.file}:${location.line}:${location.column + 1}` : '';
  const reason = text.endsWith('.') ? text.slice(0, -1) : text;
  return new ConfigError('USER_MODULE_INVALID', `${head}: syntax error${at}: ${reason}.`, {
    ...(location && {
      outputTail: `${location.lineText}\n${' '.repeat(location.column)}^`,
    }),
    fix: 'correct the module, then run otto again.',
    cause,
  });
}

/**
 * Node's syntax errors of ES modules carry no location; `node --check` (which runs nothing)
 * prints it: `file:LINE`, the line, a caret under the column, then the message.
 */
async function checkSyntax(path: string): Promise<Required<CompilerMessage> | undefined> {
  const stderr = await new Promise<string>((done) => {
    execFile(process.execPath, ['--check', path], { timeout: 10_000 }, (_error, _out, err) =>
      done(String(err)),
    );
  });
  const match = /^(.+):(\d+)\n(.*)\n( *)\^+.*\n(?:[^]*?\n)?SyntaxError: (.+)$/m.exec(stderr);
  if (!match) return undefined;
  const [, file, line, lineText, spaces, text] = match;
  return {
    text: text!,
    location: { file: file!, line: Number(line), column: spaces!.length, lineText: lineText! },
  };
}

/** `file:line:column` of the first stack frame in the user's code (not ours, not a package's). */
function userPlaceOf(error: unknown): string | undefined {
  const frame = userFrameOf(error instanceof Error ? error.stack : undefined, OWN_ROOT);
  return frame && describeFrame(frame);
}

/** The folder of otto-ts itself (dist/ or src/ of the running copy). */
const OWN_ROOT = fileURLToPath(new URL('..', import.meta.url));

function isTypeScript(path: string): boolean {
  return /\.[cm]?tsx?$/.test(path);
}

/** An error's message without the `Fix:` line its details add (the caller gives its own). */
function summaryOf(error: ConfigError): string {
  const fix = error.details.fix ? `\nFix: ${error.details.fix}` : '';
  return fix && error.message.endsWith(fix) ? error.message.slice(0, -fix.length) : error.message;
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function ensureTypescript(): Promise<void> {
  typescriptReady ??= import('tsx/esm/api').then(({ register: registerTsx }) => {
    registerTsx();
  });
  return typescriptReady;
}

/** The entry points of otto-ts a user module may import without installing it. */
const SELF_ENTRIES: Readonly<Record<string, string>> = {
  'otto-ts': 'index.js',
  'otto-ts/vitest': 'vitest.js',
  'otto-ts/playwright': 'playwright.js',
};

/** Lets user modules import 'otto-ts' without installing it (see the file comment). */
function ensureSelfResolve(): void {
  if (selfResolveReady) return;
  selfResolveReady = true;
  const hooks = new URL('./self-resolve-hooks.js', import.meta.url);
  const entries = Object.fromEntries(
    Object.entries(SELF_ENTRIES).map(([specifier, file]) => [
      specifier,
      new URL(`../${file}`, import.meta.url).href,
    ]),
  );
  // Only the built package has a JavaScript hooks file next to it; from sources, skip.
  if (!hooks.pathname.endsWith('/dist/lab/self-resolve-hooks.js')) return;
  register(hooks, { data: { entries } });
  selfResolveForRequire(entries);
}

/**
 * The same for `require('otto-ts')`: the TypeScript loader turns a user's `.ts` helper that no
 * `"type": "module"` marks into CommonJS, whose requires module hooks do not see. Node resolves
 * them through `Module._resolveFilename`, the one place to send `otto-ts` to the running copy
 * (Node 20.19 and later load an ES module from `require`).
 */
function selfResolveForRequire(entries: Record<string, string>): void {
  const loader = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (error) {
      const url = entries[request];
      if (url !== undefined) return fileURLToPath(url);
      throw error;
    }
  };
}
