import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../common/deadline.js';
import { createExecToken, tokenEnvironment, tokenKillScript } from './exec-token.js';

// The token kill needs nothing but a POSIX shell's builtins and /proc: run here, on this machine's
// processes, by each shell it must work with, with a PATH where no program can be found.

const SHELLS = [
  ['dash', ['/bin/dash']],
  ['busybox ash', ['/bin/busybox', 'ash']],
  ['bash', ['/bin/bash']],
] as const;

/** Pids of live processes (zombies left out) whose environment carries `token`. */
async function marked(token: string): Promise<number[]> {
  const entry = `OTTO_EXEC_TOKEN=${token}`;
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(entry)) found.push(Number(name));
  }
  return found.sort((a, b) => a - b);
}

/** The state letter and parent pid of a process, from /proc/<pid>/stat; undefined once it is gone. */
async function statOf(pid: number): Promise<{ state: string; ppid: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => undefined);
  if (stat === undefined) return undefined;
  const [state, ppid] = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { state: state!, ppid: Number(ppid) };
}

/** Pids of the live children of `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await statOf(Number(name));
    if (stat && stat.ppid === pid && stat.state !== 'Z') found.push(Number(name));
  }
  return found;
}

/** True while the process exists and is not a zombie. */
async function isLive(pid: number): Promise<boolean> {
  const stat = await statOf(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function runScript(argv: readonly string[], script: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, [...argv.slice(1), '-c', script], {
      env: { PATH: '/nonexistent' },
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
}

describe.each(SHELLS)('the token kill script under %s', (_name, argv) => {
  it('kills the marked shell, its jobs, an orphan and a child with a cleared environment', async () => {
    const token = createExecToken();
    // The loop ignores INT and TERM, one job runs with `env -i` (no token, found as a child), one
    // is orphaned by its subshell (found by its token).
    const tree = spawn(
      'sh',
      ['-c', 'sleep 301 & env -i sleep 302 & (sleep 303 &); trap "" INT TERM; while :; do :; done'],
      { env: { ...process.env, ...tokenEnvironment(token) }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => tree.once('exit', resolve));
    const bystander = spawn('sleep', ['304'], {
      env: { ...process.env, ...tokenEnvironment(createExecToken()) },
      stdio: 'ignore',
    });
    try {
      let targets: number[] = [];
      await waitUntil(
        async () => {
          const [carriers, children] = [await marked(token), await childrenOf(tree.pid!)];
          targets = [...new Set([...carriers, ...children])];
          // sh, sleep 301 and the orphan carry the token; sleep 302 (env -i) is a child only.
          return carriers.length === 3 && children.length === 2 ? true : undefined;
        },
        { timeoutMs: 5000, intervalMs: 20, what: 'the process tree to start' },
      );
      expect(targets).toHaveLength(4);
      expect(await runScript(argv, tokenKillScript(token))).toBe(0);
      await exited;
      expect(tree.signalCode).toBe('SIGKILL');
      let live: number[] = [];
      await waitUntil(
        async () => {
          live = [];
          for (const pid of targets) if (await isLive(pid)) live.push(pid);
          return live.length === 0 ? true : undefined;
        },
        { timeoutMs: 2000, intervalMs: 20, what: 'the marked processes to end' },
      ).catch(() => undefined);
      expect(live).toEqual([]);
      expect(await isLive(bystander.pid!)).toBe(true);
    } finally {
      tree.kill('SIGKILL');
      bystander.kill('SIGKILL');
    }
  });
});
