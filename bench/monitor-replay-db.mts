// The render part's database: a day of synthetic ticks written by our store, cached under the
// bench folder by its parameters (making it takes minutes), with a sidecar JSON saying how long it
// took. A half-made file is written beside it and renamed only when complete.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorStore } from '../src/monitor/store/monitor-store.ts';
import { STORE_FORMAT_VERSION } from '../src/monitor/store/store-schema.ts';
import {
  SERIES_PER_HOST,
  SyntheticTicks,
  syntheticHosts,
  syntheticSeries,
} from './monitor-synthetic.mts';

/** A database ready to replay, and what making it cost. */
export interface ReplayDb {
  path: string;
  sizeBytes: number;
  points: number;
  /** Found in the cache rather than made by this run. */
  cached: boolean;
  generatedMs: number;
}

/** Ticks written per `addSamples` call while generating: a batch of a minute, like a catching-up writer. */
const TICKS_PER_BATCH = 60;

/** The cached database of `hosts` hosts over `seconds` seconds at 1 s, made when missing. */
export async function ensureReplayDb(
  dir: string,
  options: { hosts: number; seconds: number },
): Promise<ReplayDb> {
  const name = `replay-h${options.hosts}-s${options.seconds}-n${SERIES_PER_HOST}-f${STORE_FORMAT_VERSION}`;
  const path = join(dir, `${name}.db`);
  const sidecar = join(dir, `${name}.json`);
  if (existsSync(path) && existsSync(sidecar)) {
    const made = JSON.parse(readFileSync(sidecar, 'utf8')) as {
      generatedMs: number;
      points: number;
    };
    return { path, sizeBytes: statSync(path).size, cached: true, ...made };
  }
  console.log(
    `\nmaking ${path} (${options.hosts} hosts, ${options.seconds} ticks; cached for later runs)...`,
  );
  const startMs = performance.now();
  const points = await writeReplayDb(`${path}.partial`, options);
  const generatedMs = performance.now() - startMs;
  renameSync(`${path}.partial`, path);
  writeFileSync(sidecar, JSON.stringify({ generatedMs, points, madeAt: new Date().toISOString() }));
  return { path, sizeBytes: statSync(path).size, points, cached: false, generatedMs };
}

async function writeReplayDb(
  path: string,
  options: { hosts: number; seconds: number },
): Promise<number> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  const hosts = syntheticHosts(options.hosts);
  // A day that ended an hour ago, so that the dashboard's "now" is past the last sample.
  const startMs = Math.floor(Date.now() / 1000) * 1000 - (options.seconds + 3600) * 1000;
  const store = await MonitorStore.open(path, { mode: 'write' });
  try {
    store.setInfo({
      intervalMs: 1000,
      title: `bench: ${options.hosts} hosts, ${options.seconds / 3600} h`,
      startedAtMs: startMs,
      version: 'bench',
    });
    store.addSeries(syntheticSeries(hosts));
    const ticks = new SyntheticTicks(hosts, startMs);
    for (let tick = 0; tick < options.seconds; tick += TICKS_PER_BATCH) {
      const batch = Math.min(TICKS_PER_BATCH, options.seconds - tick);
      store.addSamples(Array.from({ length: batch }, () => ticks.next()).flat());
    }
  } finally {
    store.close();
  }
  return options.seconds * hosts.length * SERIES_PER_HOST;
}
