import { describe, expect, it } from 'vitest';
import type { Logger } from '../common/logger.js';
import { ConnectionError } from '../errors.js';
import type { CommandResult } from '../hosts/command-result.js';
import type { Host } from '../hosts/host.js';
import { Collector, pollTimeoutsOf } from './collector.js';
import type { MetricParser } from './metric-types.js';

/**
 * The collector's bookkeeping over scripted hosts: shared timestamps, series announced once,
 * state changes and parser failures logged once per change. (Real hosts: collector.int.test.ts.)
 */

/** What a scripted host answers in one tick: each parser's output, or a failure. */
type Answer = Record<string, string> | { error: string };

/** A host whose oneshot answers the collect command from a script, one answer per call. */
function scriptedHost(id: string, answers: Answer[]): Host {
  const oneshot = (command: string): Promise<CommandResult> => {
    const answer = answers.shift() ?? {};
    if ('error' in answer)
      return Promise.resolve(
        result(command, '', new ConnectionError('CONNECTION_LOST', answer.error)),
      );
    // The markers are `printf '\n%s\n' '<token> <name>'` lines of the command.
    const markers = [...command.matchAll(/printf '\\n%s\\n' '(\w+) ([\w.-]+)'/g)];
    const stdout = markers
      .map(([, token, name]) => `\n${token} ${name}\n${answer[name!] ?? ''}`)
      .join('');
    return Promise.resolve(result(command, stdout));
  };
  return { id, kind: 'ssh', oneshot } as unknown as Host;
}

function result(command: string, stdout: string, error?: ConnectionError): CommandResult {
  return {
    command,
    output: stdout,
    stdout,
    stderr: '',
    outputBytes: Buffer.from(stdout),
    exitCode: error ? -1 : 0,
    status: error ? 'error' : 'success',
    durationMs: 1,
    droppedBytes: 0,
    ...(error ? { error } : {}),
  };
}

const queue: MetricParser = {
  name: 'queue',
  command: 'cat /run/queue',
  tab: 'app',
  chart: 'Queue',
  parse: (output) => {
    if (output.trim() === 'bad') throw new Error('no number');
    return [{ key: 'queue.depth', value: Number(output) }];
  },
};

function recordingLogger(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return {
    lines,
    logger: { debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') },
  };
}

function collectorOf(hosts: Host[], logger: Logger): Collector {
  return new Collector({ hosts, intervalMs: 1000, processes: 0, logger, parsersOf: () => [queue] });
}

const signal = new AbortController().signal;

describe('Collector', () => {
  it('gives every host the tick timestamp and announces each series once', async () => {
    const { logger } = recordingLogger();
    const collector = collectorOf(
      [
        scriptedHost('a', [{ queue: '1' }, { queue: '2' }]),
        scriptedHost('b', [{ queue: '5' }, { queue: '6' }]),
      ],
      logger,
    );
    const first = await collector.collect(1000, signal);
    expect(first.series.map((series) => `${series.host}/${series.key}`)).toEqual([
      'a/queue.depth',
      'b/queue.depth',
    ]);
    expect(first.samples).toEqual([
      { host: 'a', timestampMs: 1000, values: { 'queue.depth': 1 } },
      { host: 'b', timestampMs: 1000, values: { 'queue.depth': 5 } },
    ]);
    expect(first.states).toEqual([
      { host: 'a', timestampMs: 1000, status: 'up' },
      { host: 'b', timestampMs: 1000, status: 'up' },
    ]);
    const second = await collector.collect(2000, signal);
    expect(second.series).toEqual([]);
    expect(second.states).toEqual([]);
    expect(second.samples.map((sample) => sample.timestampMs)).toEqual([2000, 2000]);
  });

  it('logs a host going down and coming back once each, and a failing parser until it recovers', async () => {
    const { lines, logger } = recordingLogger();
    const host = scriptedHost('db1', [
      { queue: '1' },
      { queue: 'bad' },
      { queue: 'bad' },
      { queue: '3' },
      { error: 'Connection to host "db1" [ssh] dropped.\nmore detail' },
      { error: 'Connection to host "db1" [ssh] dropped.' },
      { queue: '4' },
    ]);
    const collector = collectorOf([host], logger);
    const records = [];
    for (let tick = 1; tick <= 7; tick++)
      records.push(await collector.collect(tick * 1000, signal));
    expect(lines).toEqual([
      'warn: Monitor: parser "queue" failed on host "db1" [ssh]: parse threw Error: no number',
      'info: Monitor: parser "queue" on host "db1" [ssh] reads again.',
      'warn: Monitor: host "db1" [ssh] is down: Connection to host "db1" [ssh] dropped.',
      'info: Monitor: host "db1" [ssh] answers again.',
    ]);
    expect(records.map((record) => record.states.map((state) => state.status))).toEqual([
      ['up'],
      [],
      [],
      [],
      ['down'],
      [],
      ['up'],
    ]);
    expect(records[4]!.states[0]).toEqual({
      host: 'db1',
      timestampMs: 5000,
      status: 'down',
      reason: 'Connection to host "db1" [ssh] dropped',
    });
    expect(records.map((record) => record.samples.length)).toEqual([1, 0, 0, 1, 0, 0, 1]);
  });

  it('tells why a login its tick gave up on failed, at the next tick, without starting another', async () => {
    const { lines, logger } = recordingLogger();
    let failLogin: (error: ConnectionError) => void = () => {};
    const timeouts: Array<number | undefined> = [];
    const answers = scriptedHost('db1', [{ queue: '5' }]);
    const oneshot = (command: string, options: { timeoutMs?: number }): Promise<CommandResult> => {
      timeouts.push(options.timeoutMs);
      if (timeouts.length > 1) return answers.oneshot(command);
      return new Promise((resolve) => {
        failLogin = (error) => resolve(result(command, '', error));
      });
    };
    const host = { id: 'db1', kind: 'ssh', oneshot } as unknown as Host;
    const collector = new Collector({
      hosts: [host],
      intervalMs: 100,
      processes: 0,
      logger,
      parsersOf: () => [queue],
    });
    const first = await collector.collect(100, signal);
    expect(first.states).toEqual([
      { host: 'db1', timestampMs: 100, status: 'down', reason: 'no answer within 80ms' },
    ]);
    // The login still runs: the next tick waits for it rather than starting another.
    expect((await collector.collect(200, signal)).states).toEqual([]);
    failLogin(new ConnectionError('AUTH_FAILED', 'Authentication failed for host "db1".'));
    await collector.settle(1000);
    const third = await collector.collect(300, signal);
    expect(third.states).toEqual([
      {
        host: 'db1',
        timestampMs: 300,
        status: 'down',
        reason: 'Authentication failed for host "db1"',
      },
    ]);
    expect((await collector.collect(400, signal)).states.map((state) => state.status)).toEqual([
      'up',
    ]);
    await collector.collect(500, signal);
    // Until the host first answers, a oneshot may take as long as a login; then the tick's limit.
    expect(timeouts).toEqual([15_000, 15_000, 80]);
    expect(lines).toEqual([
      'warn: Monitor: host "db1" [ssh] is down: no answer within 80ms.',
      'warn: Monitor: host "db1" [ssh] is down: Authentication failed for host "db1".',
      'info: Monitor: host "db1" [ssh] answers again.',
    ]);
  });
});

describe('pollTimeoutsOf', () => {
  it('leaves a fifth of short intervals, and 250 ms of longer ones, for the tick', () => {
    expect(pollTimeoutsOf(500)).toEqual({ pollTimeoutMs: 400, graceMs: 50 });
    expect(pollTimeoutsOf(1000)).toEqual({ pollTimeoutMs: 800, graceMs: 100 });
    expect(pollTimeoutsOf(5000)).toEqual({ pollTimeoutMs: 4750, graceMs: 125 });
  });
});
