import { describe, expect, it } from 'vitest';
import { SILENT_LOGGER } from '../common/logger.js';
import type { Host } from '../hosts/host.js';
import type { LabHostPool } from '../lab/lab-host-pool.js';
import { defineInstruction } from './instruction.js';
import { runInstruction } from './run-instruction.js';

/** A host that records the options of each call, and a pool of it. */
function recordingPool() {
  const calls: [string, unknown][] = [];
  const record =
    (name: string, at: number) =>
    (...args: unknown[]) => {
      calls.push([name, args[at]]);
      return Promise.resolve(undefined);
    };
  const host = {
    id: 'db',
    log: true,
    run: record('run', 1),
    oneshot: record('oneshot', 1),
    expect: record('expect', 1),
    put: record('put', 2),
    get: record('get', 2),
    send: record('send', 1),
  } as unknown as Host;
  const pool = {
    lab: { names: [], hosts: new Map(), resources: new Set(), warnings: [] },
    get: () => host,
    all: () => [host],
  } as unknown as LabHostPool;
  return { calls, host, pool };
}

describe('runInstruction', () => {
  it("gives the invocation's signal to host calls that bring none, and keeps a call's own", async () => {
    const { calls, host, pool } = recordingPool();
    const controller = new AbortController();
    const own = new AbortController().signal;
    let same = false;
    const instruction = defineInstruction({
      name: 'calls',
      async run(context) {
        const db = context.host('db');
        same = db === context.host('db') && db === context.hosts()[0];
        await db.run('true');
        await db.oneshot('true', { timeoutMs: 5 });
        await db.expect('x');
        await db.put(['a'], '/tmp');
        await db.get(['/a'], '.', { signal: own });
        await db.send('text');
        db.log = false;
      },
    });
    const run = await runInstruction(instruction, {
      values: {},
      pool,
      logger: SILENT_LOGGER,
      outputDir: '/tmp',
      dryRun: false,
      signal: controller.signal,
    });
    const signal = controller.signal;
    expect(run.exitCode).toBe(0);
    expect(same).toBe(true);
    expect(calls).toEqual([
      ['run', { signal }],
      ['oneshot', { timeoutMs: 5, signal }],
      ['expect', { signal }],
      ['put', { signal }],
      ['get', { signal: own }],
      ['send', undefined],
    ]);
    expect(host.log).toBe(false);
  });

  it('names the instruction when it throws', async () => {
    const { pool } = recordingPool();
    const instruction = defineInstruction({
      name: 'boom',
      run: () => {
        throw new Error('disk full\nmore');
      },
    });
    await expect(
      runInstruction(instruction, {
        values: {},
        pool,
        logger: SILENT_LOGGER,
        outputDir: '/tmp',
        dryRun: false,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/^Instruction "boom" failed: disk full$/);
  });
});
