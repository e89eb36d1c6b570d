import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeTempDir } from './temp-dir.js';

/** A temporary repo for CLI tests: settings, a lab folder and any files, plus an xdir. */
export interface TempRepo {
  /** The folder holding repo/, labs/ and xdir/. */
  base: string;
  root: string;
  labDir: string;
  xdir: string;
  /** Environment that points otto at this repo. */
  env: NodeJS.ProcessEnv;
}

/**
 * Writes a repo with `.otto/settings.toml` (labs = the lab folder, plus `settings`), the lab's
 * hosts.json and `files` (paths relative to the repo root).
 */
export async function makeTempRepo(options: {
  settings?: string;
  /** The lab's hosts.json: a value written as JSON, or the file's exact text or bytes. */
  hosts?: unknown;
  files?: Record<string, string | Buffer>;
  /** Write into this folder (from an earlier call, whose files are replaced) instead of a new one. */
  base?: string;
}): Promise<TempRepo> {
  const base = options.base ?? (await makeTempDir('otto-repo-'));
  const root = join(base, 'repo');
  const labDir = join(base, 'labs', 'main');
  const files: Record<string, string | Buffer> = {
    '.otto/settings.toml': `name = "demo"\nversion = "1.0.0"\nlabs = ["\${sutDir}/../labs/main"]\n${options.settings ?? ''}`,
    ...options.files,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await mkdir(labDir, { recursive: true });
  const hosts = options.hosts ?? [];
  const hostsText =
    typeof hosts === 'string' || Buffer.isBuffer(hosts) ? hosts : JSON.stringify(hosts, null, 2);
  await writeFile(join(labDir, 'hosts.json'), hostsText);
  const xdir = join(base, 'xdir');
  return {
    base,
    root,
    labDir,
    xdir,
    env: { OTTO_SUT_DIRS: root, OTTO_XDIR: xdir, OTTO_LAB: '' },
  };
}
