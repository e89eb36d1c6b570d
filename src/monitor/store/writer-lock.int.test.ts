import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { MonitorStore } from './monitor-store.js';
import { describeCommand } from './writer-lock.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STORE_MODULE = fileURLToPath(new URL('./monitor-store.ts', import.meta.url));
const T0 = 1_700_000_040_000;
const SERIES = { host: 'web1', key: 'a', label: 'a', chart: 'C', unit: '', tab: 'cpu', labels: {} };

/**
 * What a child process does with the store, printing one JSON line per step:
 * - `hold`: opens as writer, says `ready`, closes when its stdin ends;
 * - `try-write`: waits for a line on stdin, opens as writer, says `opened` or the error, then
 *   holds the file until its stdin ends;
 * - `write-loop`: opens as writer and adds a sample every few ms, saying `written` after each;
 * - `read`: opens read-only and says how many samples web1 has.
 */
const CHILD_SCRIPT = `
const { MonitorStore } = await import(${JSON.stringify(STORE_MODULE)});
const { createInterface } = await import('node:readline');
const { path, action } = JSON.parse(process.env.STORE_CHILD);
const say = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
const stdin = createInterface({ input: process.stdin });
const nextLine = new Promise((resolve) => stdin.once('line', resolve));
const stdinEnded = new Promise((resolve) => stdin.once('close', resolve));
const series = ${JSON.stringify(SERIES)};
if (action === 'hold') {
  const store = await MonitorStore.open(path, { mode: 'write' });
  say({ ready: true });
  await stdinEnded;
  store.close();
} else if (action === 'try-write') {
  say({ ready: true });
  await nextLine;
  try {
    const store = await MonitorStore.open(path, { mode: 'write' });
    say({ opened: true });
    await stdinEnded;
    store.close();
  } catch (error) {
    say({ code: error.code, message: error.message });
  }
} else if (action === 'write-loop') {
  const store = await MonitorStore.open(path, { mode: 'write' });
  store.addSeries([series]);
  let written = 0;
  let ended = false;
  void stdinEnded.then(() => (ended = true));
  while (!ended) {
    store.addSamples([{ host: 'web1', timestampMs: ${T0} + written * 1000, values: { a: written } }]);
    say({ written: ++written });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  store.close();
} else if (action === 'read') {
  const store = await MonitorStore.open(path, { mode: 'read' });
  say({ samples: store.readData({ host: 'web1' }).timestamps.length });
  store.close();
}
process.exit(0);
`;

interface StoreChild {
  child: ChildProcess;
  /** The next message the child prints, parsed. */
  next(): Promise<Record<string, unknown>>;
  /** Waits for the first message matching `accept`. */
  until(accept: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startChild(action: string, path: string): StoreChild {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', CHILD_SCRIPT],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, STORE_CHILD: JSON.stringify({ path, action }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const queue: Array<Record<string, unknown>> = [];
  const waiters: Array<(message: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      waiters.push(resolve);
      void exited.then((code) => reject(new Error(`the child exited (${code}): ${stderr}`)));
    });
  const until = async (accept: (message: Record<string, unknown>) => boolean) => {
    for (;;) {
      const message = await next();
      if (accept(message)) return message;
    }
  };
  return { child, next, until, exited };
}

function lockedMessage(path: string, pid: number, command: string, sinceMs: number): string {
  return (
    `Cannot write to monitor database ${path}: process ${pid} (${command}) has been writing to it since ${new Date(sinceMs).toISOString()}.\n` +
    `Fix: open it read-only with --file ${path}, or stop that monitor.`
  );
}

function readWriterRow(
  path: string,
): { pid: string; command: string; since_ms: number } | undefined {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT pid, command, since_ms FROM writer').get() as
      { pid: string; command: string; since_ms: number } | undefined;
  } finally {
    db.close();
  }
}

describe('the writer lock across processes', () => {
  it('refuses a writer in another process, naming this one', async () => {
    const path = join(await makeTempDir('otto-lock-'), 'run.db');
    const store = await MonitorStore.open(path, { mode: 'write' });
    onTestFinished(() => store.close());
    const sinceMs = readWriterRow(path)?.since_ms ?? 0;
    const child = startChild('try-write', path);
    await child.next();
    child.child.stdin?.write('go\n');
    expect(await child.next()).toEqual({
      code: 'MONITOR_DB_LOCKED',
      message: lockedMessage(path, process.pid, describeCommand(process.argv), sinceMs),
    });
    expect(await child.exited).toBe(0);
  });

  it('takes over the lock of a writer killed with SIGKILL', async () => {
    const path = join(await makeTempDir('otto-lock-'), 'run.db');
    const holder = startChild('hold', path);
    await holder.next();
    const row = readWriterRow(path);
    expect(row?.pid).toBe(String(holder.child.pid));
    const refused = await MonitorStore.open(path, { mode: 'write' }).catch((error: Error) => error);
    expect((refused as Error).message).toBe(
      lockedMessage(path, holder.child.pid!, row!.command, row!.since_ms),
    );
    process.kill(holder.child.pid!, 'SIGKILL');
    expect(await holder.exited).toBeNull();
    const store = await MonitorStore.open(path, { mode: 'write' });
    expect(readWriterRow(path)?.pid).toBe(String(process.pid));
    store.close();
    expect(readWriterRow(path)).toBeUndefined();
  });

  it('lets exactly one of two writers opening a new file at once have it', async () => {
    const path = join(await makeTempDir('otto-lock-'), 'new.db');
    const children = [startChild('try-write', path), startChild('try-write', path)];
    await Promise.all(children.map((child) => child.next()));
    for (const child of children) child.child.stdin?.write('go\n');
    const answers = await Promise.all(children.map((child) => child.next()));
    const winner = answers.findIndex((answer) => answer.opened === true);
    expect(winner).not.toBe(-1);
    const loser = answers[1 - winner];
    const row = readWriterRow(path);
    expect(loser).toEqual({
      code: 'MONITOR_DB_LOCKED',
      message: lockedMessage(path, children[winner]!.child.pid!, row!.command, row!.since_ms),
    });
    for (const child of children) child.child.stdin?.end();
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0]);
  });

  it('never refuses readers, which see what a writer in another process committed', async () => {
    const path = join(await makeTempDir('otto-lock-'), 'run.db');
    const writer = startChild('write-loop', path);
    await writer.until((message) => message.written === 1);
    const reader = await MonitorStore.open(path, { mode: 'read' });
    onTestFinished(() => reader.close());
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      const { written } = (await writer.next()) as { written: number };
      const count = reader.readData({ host: 'web1' }).timestamps.length;
      expect(count).toBeGreaterThanOrEqual(written);
      seen.push(count);
    }
    expect(seen[4]).toBeGreaterThan(seen[0]!);
    writer.child.stdin?.end();
    expect(await writer.exited).toBe(0);
  });

  it('shows a reader in another process the samples this process committed', async () => {
    const path = join(await makeTempDir('otto-lock-'), 'run.db');
    const store = await MonitorStore.open(path, { mode: 'write' });
    onTestFinished(() => store.close());
    store.addSeries([SERIES]);
    const samples = Array.from({ length: 50 }, (_, index) => ({
      host: 'web1',
      timestampMs: T0 + index * 1000,
      values: { a: index },
    }));
    store.addSamples(samples);
    const reader = startChild('read', path);
    expect(await reader.next()).toEqual({ samples: 50 });
    expect(await reader.exited).toBe(0);
  });
});
