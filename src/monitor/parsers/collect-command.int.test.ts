import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { waitUntil } from '../../common/deadline.js';
import { StartedContainer } from '../../docker/containers/started-container.js';
import { ContainerHost } from '../../hosts/container-host.js';
import type { Host } from '../../hosts/host.js';
import { LocalHost } from '../../hosts/local-host.js';
import type { MetricParser, MetricReading } from '../metric-types.js';
import {
  buildCollectCommand,
  MAX_CUSTOM_SECTION_BYTES,
  parseCollectOutput,
  type CollectOutput,
} from './collect-command.js';
import { CounterMemory } from './counter-memory.js';
import { defaultParsers } from './default-parsers.js';

const TOKEN = randomBytes(8).toString('hex');

/** Jiffies of the whole machine so far (containers share this kernel). */
async function machineJiffies(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  return line
    .split(/\s+/)
    .slice(1, 9)
    .reduce((sum, field) => sum + Number(field), 0);
}

/** Runs the collect command on `host` for two ticks and returns the second tick's output. */
async function collectTwice(host: Host, parsers: readonly MetricParser[]): Promise<CollectOutput> {
  const command = buildCollectCommand(parsers, TOKEN);
  const memory = new CounterMemory();
  const tick = async (): Promise<CollectOutput> => {
    const result = await host.oneshot(command, { timeoutMs: 10_000 });
    expect(result.status).toBe('success');
    return parseCollectOutput(
      result.stdout,
      parsers,
      TOKEN,
      memory.contextFor(host.id, Date.now()),
    );
  };
  const first = await tick();
  expect(first.errors).toEqual([]);
  // CPU shares need the machine's jiffies to have moved between the two ticks.
  const jiffies = await machineJiffies();
  await waitUntil(async () => ((await machineJiffies()) > jiffies ? true : undefined), {
    timeoutMs: 5000,
    intervalMs: 5,
    what: 'the CPU jiffies to advance',
  });
  return tick();
}

function keysOf(output: CollectOutput, parser: string): string[] {
  return (output.readings.get(parser) ?? []).map((reading) => reading.key);
}

/** Checks that the second tick produced every default series. */
function expectEveryDefaultSeries(output: CollectOutput, cores: number): void {
  expect(output.errors).toEqual([]);
  const perCore = Array.from({ length: cores }, (_, core) => `cpu.${core}.busy`);
  expect(keysOf(output, 'cpu')).toEqual(['cpu.busy', 'cpu.iowait', ...perCore]);
  expect(keysOf(output, 'memory')).toContain('mem.used');
  expect(keysOf(output, 'load')).toEqual(['load.1m', 'load.5m', 'load.15m']);
  expect(keysOf(output, 'diskio').some((key) => /^disk\.[^.]+\.read$/.test(key))).toBe(true);
  expect(keysOf(output, 'diskio').some((key) => /^disk\.[^.]+\.write$/.test(key))).toBe(true);
  expect(keysOf(output, 'network').some((key) => /^net\.[^.]+\.rx$/.test(key))).toBe(true);
  expect(keysOf(output, 'network')).not.toContain('net.lo.rx');
  expect(keysOf(output, 'df')).toContain('df./');
  expect(keysOf(output, 'processes')).toEqual(['proc.1', 'proc.2', 'proc.3']);
  const values = [...output.readings.values()]
    .flat()
    .map((reading: MetricReading) => reading.value);
  expect(values.every((value) => Number.isFinite(value))).toBe(true);
}

async function coreCount(): Promise<number> {
  return (await readFile('/proc/stat', 'utf8')).split('\n').filter((line) => /^cpu\d/.test(line))
    .length;
}

describe('the collect command on this machine (dash)', () => {
  it('produces every default series on the second tick', async () => {
    await using host = new LocalHost({ id: 'collect-local' });
    expectEveryDefaultSeries(
      await collectTwice(host, defaultParsers({ processes: 3 })),
      await coreCount(),
    );
  });

  it("keeps a custom command's exit, cd and syntax error within its own section", async () => {
    await using host = new LocalHost({ id: 'collect-custom' });
    const custom = (name: string, command: string): MetricParser => ({
      name,
      command,
      parse: (output) => [{ key: name, value: output.length }],
    });
    const parsers = [
      custom('leaves', 'cd /proc; echo gone; exit 3'),
      custom('broken', 'if then'),
      custom('after', 'pwd'),
      ...defaultParsers().slice(0, 1),
    ];
    const output = await collectTwice(host, parsers);
    expect(output.errors).toEqual([]);
    expect(output.readings.get('leaves')).toEqual([{ key: 'leaves', value: 'gone\n'.length }]);
    expect(output.readings.get('broken')).toEqual([{ key: 'broken', value: 0 }]);
    expect(output.readings.get('after')).toEqual([
      { key: 'after', value: `${process.cwd()}\n`.length },
    ]);
    expect(keysOf(output, 'cpu')[0]).toBe('cpu.busy');
  });

  it('cuts a custom command that prints without end at its cap, at once, the other sections kept', async () => {
    await using host = new LocalHost({ id: 'collect-endless' });
    const parsers: MetricParser[] = [
      { name: 'endless', command: 'yes', parse: (output) => [{ key: 'n', value: output.length }] },
      ...defaultParsers().slice(0, 1),
    ];
    const startMs = performance.now();
    const output = await collectTwice(host, parsers);
    // Two ticks: without the cap each would run to its deadline (10 s).
    expect(performance.now() - startMs).toBeLessThan(5000);
    expect(output.errors).toEqual([]);
    // The section is the cap's bytes (the marker's own leading newline is not the section's).
    expect(output.readings.get('endless')).toEqual([{ key: 'n', value: MAX_CUSTOM_SECTION_BYTES }]);
    expect(keysOf(output, 'cpu')[0]).toBe('cpu.busy');
  });
});

describe('the collect command in a busybox container', () => {
  let container: StartedContainer;
  beforeAll(async () => {
    container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      entrypoint: [],
      // A busy loop and two sleepers: three processes that live across the ticks.
      cmd: ['sh', '-c', 'while :; do :; done & sleep 3600 & exec sleep 3600'],
      purpose: 'collect-command-test',
    });
  });
  afterAll(async () => {
    await container?.stop();
  });

  it('produces every default series on the second tick, the busy loop first', async () => {
    await using host = new ContainerHost(container.id);
    const output = await collectTwice(host, defaultParsers({ processes: 3 }));
    expectEveryDefaultSeries(output, await coreCount());
    const [busiest] = output.readings.get('processes')!;
    expect(busiest?.detail).toMatchObject({ command: 'sh', state: 'R' });
    expect(keysOf(output, 'network')).toEqual(['net.eth0.rx', 'net.eth0.tx']);
  });
});
