import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Processes of this machine, read from /proc/<pid>/stat: `pid (comm) state ppid pgrp session ...`.
 * The comm may hold spaces and parentheses, so fields are counted after its last `)`.
 */

interface ProcessStat {
  pid: number;
  ppid: number;
  session: number;
}

function parseStat(pid: number, stat: string): ProcessStat | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const session = Number(fields[3]);
  return Number.isInteger(ppid) && Number.isInteger(session) ? { pid, ppid, session } : undefined;
}

function listProcessesSync(): ProcessStat[] {
  const list: ProcessStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    const parsed = parseStat(Number(name), stat);
    if (parsed) list.push(parsed);
  }
  return list;
}

/** The session `pid` runs in, or undefined once it ended. */
export function sessionOf(pid: number): number | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))?.session;
  } catch {
    return undefined;
  }
}

/** Pids whose parent is `parentPid`. */
export async function findChildren(parentPid: number): Promise<number[]> {
  const children: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const parsed = stat ? parseStat(Number(name), stat) : undefined;
    if (parsed?.ppid === parentPid) children.push(parsed.pid);
  }
  return children;
}

/**
 * Sends SIGKILL to every process of the sessions led by `leaders` (a shell or command spawned
 * with `detached: true` leads its own session; `script` gives its shell another one), so that
 * nothing they started outlives them. Returns how many processes were signalled.
 */
export function killSessions(leaders: ReadonlyArray<number | undefined>): number {
  const sessions = new Set(leaders.filter((pid): pid is number => pid !== undefined && pid > 1));
  if (sessions.size === 0) return 0;
  let killed = 0;
  for (const process_ of listProcessesSync()) {
    if (!sessions.has(process_.session) || process_.pid === process.pid) continue;
    try {
      process.kill(process_.pid, 'SIGKILL');
      killed++;
    } catch {
      // it ended meanwhile
    }
  }
  return killed;
}

/** Session leaders started by this process and not ended yet, killed when node exits. */
const liveLeaders = new Set<number>();
let isExitHookSet = false;

/**
 * Remembers a session leader until `forget` is called, so that if node exits first (a crash, an
 * uncaught error, a test runner's timeout) nothing it started outlives it.
 */
export function trackSession(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined;
  liveLeaders.add(pid);
  if (!isExitHookSet) {
    isExitHookSet = true;
    process.once('exit', () => killSessions([...liveLeaders]));
  }
  return () => liveLeaders.delete(pid);
}
