import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers/temp-dir.js';

/**
 * Every public export of otto-ts, and every public member of an exported class or interface,
 * carries JSDoc (DESIGN.md: "JSDoc on every public export"). The public API is what src/index.ts
 * exports; the program is built from the sources, so no build is needed.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The compiler options of the project, so that the program resolves modules as the build does. */
function projectOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const read: { config?: unknown; error?: ts.Diagnostic } = ts.readConfigFile(configPath, (path) =>
    ts.sys.readFile(path),
  );
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, { noEmit: true }, configPath)
    .options;
}

function hasDoc(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  return text !== '' || symbol.getJsDocTags(checker).length > 0;
}

function isPublic(declaration: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  const name = ts.getNameOfDeclaration(declaration);
  return !(name && ts.isPrivateIdentifier(name));
}

/** Instance members, and for a class its static ones (`start`, `fromEnvironment`). */
function membersOf(symbol: ts.Symbol, checker: ts.TypeChecker): ts.Symbol[] {
  const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol));
  if (!(symbol.flags & ts.SymbolFlags.Class)) return members;
  const statics = checker
    .getPropertiesOfType(checker.getTypeOfSymbol(symbol))
    .filter((member) => member.name !== 'prototype');
  return [...members, ...statics];
}

/** How many exports `entryPath` has, and `file: Export` / `file: Export.member` for each undocumented one. */
function undocumentedApi(
  root: string,
  entryPath: string,
): { exportCount: number; missing: string[] } {
  const program = ts.createProgram([entryPath], projectOptions());
  const checker = program.getTypeChecker();
  const entry = checker.getSymbolAtLocation(program.getSourceFile(entryPath)!)!;
  const where = (declaration: ts.Declaration): string =>
    relative(root, declaration.getSourceFile().fileName);
  const missing = new Set<string>();
  const exports = checker.getExportsOfModule(entry);
  for (const exported of exports) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    if (!hasDoc(symbol, checker)) missing.add(`${where(declaration)}: ${exported.name}`);
    if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    for (const member of membersOf(symbol, checker)) {
      const memberDeclaration = member.declarations?.[0];
      if (!memberDeclaration || !isPublic(memberDeclaration)) continue;
      // Members that come from Node's or a library's types (Error.stack) are theirs to document.
      if (memberDeclaration.getSourceFile().fileName.split(/[\\/]/).includes('node_modules'))
        continue;
      // Well-known symbols (Symbol.asyncDispose) have no name to document under.
      if (member.name.startsWith('__@')) continue;
      if (!hasDoc(member, checker))
        missing.add(`${where(memberDeclaration)}: ${exported.name}.${member.name}`);
    }
  }
  return { exportCount: exports.length, missing: [...missing].sort() };
}

const FIXTURE_MODULE = `
/** Documented. */
export interface Shape {
  /** Documented. */
  width: number;
  height: number;
}
export function bare(): void {}
/** Documented. */
export class Box {
  /** Documented. */
  readonly size = 1;
  label = '';
  private hidden = 0;
  #secret = 0;
  constructor(readonly owner: string) {}
  static make(): Box {
    return new Box('a');
  }
  /** Documented. */
  peek(): number {
    return this.hidden + this.#secret;
  }
}
`;

describe('the public API', () => {
  it('has JSDoc on every export and on every public member of its classes and interfaces', () => {
    const { exportCount, missing } = undocumentedApi(ROOT, join(ROOT, 'src/index.ts'));
    // A broken entry point would find nothing to check and pass.
    expect(exportCount).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  }, 120_000);

  it.for(['src/vitest.ts', 'src/playwright.ts'])(
    'has JSDoc on every export of %s and on the public members of its classes and interfaces',
    { timeout: 120_000 },
    (entry) => {
      const { exportCount, missing } = undocumentedApi(ROOT, join(ROOT, entry));
      expect(exportCount).toBeGreaterThan(20);
      expect(missing).toEqual([]);
    },
  );

  it('names undocumented exports, members, parameter properties and statics, not private ones', async () => {
    const dir = await makeTempDir('otto-api-docs-');
    await writeFile(join(dir, 'thing.ts'), FIXTURE_MODULE);
    await writeFile(join(dir, 'index.ts'), "export { type Shape, bare, Box } from './thing.js';\n");
    expect(undocumentedApi(dir, join(dir, 'index.ts'))).toEqual({
      exportCount: 3,
      missing: [
        'thing.ts: Box.label',
        'thing.ts: Box.make',
        'thing.ts: Box.owner',
        'thing.ts: Shape.height',
        'thing.ts: bare',
      ],
    });
  }, 60_000);
});
