import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { loadTarStream } from '../tar-stream.js';
import { packBuildContext, parseDockerignore, readBuildContext } from './build-context.js';

async function contextWith(files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('otto-context-');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

async function namesOf(dir: string, dockerfile = 'Dockerfile'): Promise<string[]> {
  const context = await readBuildContext(dir, dockerfile);
  return context.entries.map((entry) => entry.name);
}

/** The archive's entries, name to content. */
async function unpack(archive: Pack): Promise<Map<string, string>> {
  const { extract } = await loadTarStream();
  const entries = new Map<string, string>();
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      entries.set(header.name, Buffer.concat(chunks).toString());
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) =>
    reader.on('finish', () => resolve()).on('error', reject),
  );
  archive.pipe(reader);
  await done;
  return entries;
}

describe('parseDockerignore', () => {
  it('skips comments and blank lines, trims, cleans and drops a leading slash', () => {
    expect(
      parseDockerignore('# comment\n\n  build/  \n/dist\n! keep.md\n./a//b/../c\n**/*.log\r\n'),
    ).toEqual(['build', 'dist', '!keep.md', 'a/c', '**/*.log']);
  });
});

describe('readBuildContext', () => {
  it('leaves out what .dockerignore matches, folders included, with ** and negations', async () => {
    const dir = await contextWith({
      '.dockerignore': '# build output\nbuild\n**/*.log\n!keep.log\ndocs/*\n!docs/README.md\n',
      Dockerfile: 'FROM scratch\n',
      'build/out.o': 'o',
      'src/main.c': 'int main;',
      'src/deep/trace.log': 'log',
      'keep.log': 'kept',
      'docs/guide.md': 'guide',
      'docs/README.md': 'readme',
    });
    expect(await namesOf(dir)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'docs',
      'docs/README.md',
      'keep.log',
      'src',
      'src/deep',
      'src/main.c',
    ]);
  });

  it('brings back a file inside an excluded folder through an exception', async () => {
    const dir = await contextWith({
      '.dockerignore': 'vendor\n!vendor/keep/me.txt\n',
      Dockerfile: 'FROM scratch\n',
      'vendor/big.bin': 'x',
      'vendor/keep/me.txt': 'me',
    });
    expect(await namesOf(dir)).toEqual(['.dockerignore', 'Dockerfile', 'vendor/keep/me.txt']);
  });

  it('leaves .dockerignore out when it matches itself, and keeps symbolic links as links', async () => {
    const dir = await contextWith({ '.dockerignore': '.dockerignore\n', Dockerfile: 'FROM x\n' });
    await symlink('Dockerfile', join(dir, 'link'));
    const context = await readBuildContext(dir, 'Dockerfile');
    expect(context.entries.map((entry) => [entry.name, entry.type, entry.linkTarget])).toEqual([
      ['Dockerfile', 'file', undefined],
      ['link', 'symlink', 'Dockerfile'],
    ]);
  });

  it('sends an ignored Dockerfile and .dockerignore anyway, for the engine to read', async () => {
    const dir = await contextWith({
      '.dockerignore': 'docker\n.dockerignore\n',
      'docker/Dockerfile': 'FROM scratch\n',
      'app.txt': 'app',
    });
    const context = await readBuildContext(dir, 'docker/Dockerfile');
    expect(context.entries.map((entry) => entry.name)).toEqual(['app.txt']);
    expect(context.dockerfile).toMatchObject({ name: 'docker/Dockerfile', isOutside: false });
    const sent = await unpack(await packBuildContext(context));
    expect([...sent.keys()]).toEqual(['app.txt', '.dockerignore', 'docker/Dockerfile']);
    expect(sent.get('docker/Dockerfile')).toBe('FROM scratch\n');
  });

  it('adds a Dockerfile from outside the context under a generated name the engine drops', async () => {
    const outside = await contextWith({ 'Dockerfile.app': 'FROM scratch\nCOPY . /\n' });
    const dir = await contextWith({ 'app.txt': 'app' });
    const context = await readBuildContext(dir, join(outside, 'Dockerfile.app'));
    expect(context.dockerfile.name).toMatch(/^\.dockerfile\.[0-9a-f]{12}$/);
    const sent = await unpack(await packBuildContext(context));
    expect([...sent.keys()]).toEqual(['app.txt', '.dockerignore', context.dockerfile.name]);
    expect(sent.get('.dockerignore')).toBe(`.dockerignore\n${context.dockerfile.name}\n`);
  });

  it('keeps permission bits in the entries', async () => {
    const dir = await contextWith({ Dockerfile: 'FROM x\n', 'run.sh': 'echo' });
    await chmod(join(dir, 'run.sh'), 0o750);
    const context = await readBuildContext(dir, 'Dockerfile');
    expect(context.entries.find((entry) => entry.name === 'run.sh')?.mode).toBe(0o750);
  });

  it('names a Dockerfile that is not there', async () => {
    const dir = await contextWith({ 'app.txt': 'app' });
    await expect(readBuildContext(dir, 'Dockerfile')).rejects.toThrow(
      `No Dockerfile at ${join(dir, 'Dockerfile')}.`,
    );
  });
});
