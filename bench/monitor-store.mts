// Part 2 of the monitor benchmark: points written per second into a file in /tmp. Ours is
// `MonitorStore.addSamples` with one call (one transaction) per tick of 10 hosts x 20 series;
// otto's is one INSERT and one commit per point (monitor-store-otto.mts). The rounds are
// time-boxed: each contender writes whole ticks for about 2 s, in turn, alternating the order,
// into its own file that grows across rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorStore } from '../src/monitor/store/monitor-store.ts';
import { openOttoWriter } from './monitor-store-otto.mts';
import {
  envInt,
  formatCount,
  formatMs,
  formatRatio,
  printTable,
  medianOf,
} from './monitor-report.mts';
import {
  SERIES_PER_HOST,
  SyntheticTicks,
  syntheticHosts,
  syntheticSeries,
} from './monitor-synthetic.mts';

const ROUNDS = envInt('BENCH_STORE_ROUNDS', 5);
const ROUND_MS = envInt('BENCH_STORE_ROUND_MS', 2000);
const HOSTS = syntheticHosts(10);
/** Points of one tick of the 10 hosts. */
const POINTS_PER_TICK = HOSTS.length * SERIES_PER_HOST;

/** A contender: writes one tick (every host's sample) and returns the points written. */
interface StoreContender {
  name: string;
  path: string;
  writeTick(): number;
  close(): void;
  rates: number[];
  tickMs: number[];
  points: number;
}

function contender(
  name: string,
  path: string,
  write: (ticks: SyntheticTicks) => number,
  close: () => void,
): StoreContender {
  // Every contender writes the same data, from its own generator (the same seed).
  const ticks = new SyntheticTicks(HOSTS, Date.UTC(2026, 0, 1));
  return { name, path, writeTick: () => write(ticks), close, rates: [], tickMs: [], points: 0 };
}

async function openContenders(dir: string): Promise<StoreContender[]> {
  const oursPath = join(dir, 'ours.db');
  const store = await MonitorStore.open(oursPath, { mode: 'write' });
  store.setInfo({ intervalMs: 1000, title: 'bench', startedAtMs: Date.now(), version: 'bench' });
  store.addSeries(syntheticSeries(HOSTS));
  const otto = (sync: 'FULL' | 'NORMAL') => {
    const path = join(dir, `otto-${sync.toLowerCase()}.db`);
    const writer = openOttoWriter(path, sync);
    return contender(
      `otto's way: a commit per point, synchronous=${sync}${sync === 'FULL' ? " (SQLite's default, otto's)" : ''}`,
      path,
      (ticks) => writer.write(ticks.next()),
      () => writer.close(),
    );
  };
  const ours = contender(
    'otto-ts `MonitorStore.addSamples`: one transaction per tick',
    oursPath,
    (ticks) => {
      const samples = ticks.next();
      store.addSamples(samples);
      return samples.length * SERIES_PER_HOST;
    },
    () => store.close(),
  );
  return [ours, otto('FULL'), otto('NORMAL')];
}

/** Writes ticks for about ROUND_MS; records the round's points per second and each tick's time. */
function runRound(target: StoreContender): void {
  const startMs = performance.now();
  let points = 0;
  while (performance.now() - startMs < ROUND_MS) {
    const tickStartMs = performance.now();
    points += target.writeTick();
    target.tickMs.push(performance.now() - tickStartMs);
  }
  target.points += points;
  target.rates.push((1000 * points) / (performance.now() - startMs));
}

/** The size of a closed database, its WAL (if any is left) included. */
function sizeOnDisk(path: string): number {
  const sizeOf = (file: string): number => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return sizeOf(path) + sizeOf(`${path}-wal`);
}

/** The store part: our batched writes against otto's commit per point, side by side. */
export async function benchStore(): Promise<void> {
  const dir = mkdtempSync('/tmp/otto-bench-monitor-store-');
  try {
    const targets = await openContenders(dir);
    try {
      for (const target of targets) runRound(target); // warm-up: schema, caches, first pages
      for (const target of targets) target.rates.length = 0;
      for (let round = 0; round < ROUNDS; round++)
        for (const target of round % 2 === 0 ? targets : [...targets].reverse()) runRound(target);
    } finally {
      for (const target of targets) target.close();
    }
    reportStore(targets);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function reportStore(targets: readonly StoreContender[]): void {
  const ours = medianOf(targets[0]!.rates);
  printTable(
    `store: points written per second, file in /tmp, ticks of ${HOSTS.length} hosts x ${SERIES_PER_HOST} series (${POINTS_PER_TICK} points), ${ROUNDS} interleaved rounds of ${ROUND_MS / 1000} s`,
    [
      'contender',
      'points/s (median)',
      'range',
      'ours ÷ this',
      'one tick',
      'bytes per point on disk',
    ],
    targets.map((target) => {
      const rate = medianOf(target.rates);
      return [
        target.name,
        formatCount(rate),
        `${formatCount(Math.min(...target.rates))}–${formatCount(Math.max(...target.rates))}`,
        formatRatio(ours / rate),
        formatMs(medianOf(target.tickMs)),
        (sizeOnDisk(target.path) / target.points).toFixed(1),
      ];
    }),
  );
  const otto = medianOf(targets[1]!.rates);
  console.log(
    `\nsummary: ours ${formatCount(ours)} points/s vs otto's ${formatCount(otto)} (${formatRatio(ours / otto)}); at 1 s these ${HOSTS.length} hosts make ${POINTS_PER_TICK} points/s: ours keeps up ${formatCount(ours / POINTS_PER_TICK)} times over, otto's ${(otto / POINTS_PER_TICK).toFixed(1)} times.`,
  );
}
