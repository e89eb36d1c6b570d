// Synthetic but realistic monitor data for the store and render parts: the series the default
// parsers give a 2-core host with 2 disks, 3 mounts and 2 interfaces (20 series), and samples
// that move as smooth random walks within each series' range, one tick at a time.
import type { Sample, SeriesMeta } from '../src/monitor/metric-types.ts';

/** One series of a host: its meta without the host, and the range its values walk in. */
interface SeriesShape extends Omit<SeriesMeta, 'host'> {
  min: number;
  max: number;
}

const percent = (tab: string, chart: string) => ({ tab, chart, unit: '%', min: 0, max: 100 });

function cpuShapes(): SeriesShape[] {
  const cpu = percent('cpu', 'CPU');
  const perCore = percent('cpu', 'CPU per core');
  return [
    { key: 'cpu.busy', label: 'busy', labels: {}, ...cpu },
    { key: 'cpu.iowait', label: 'iowait', labels: {}, ...cpu },
    ...['0', '1'].map((core) => ({
      key: `cpu.${core}.busy`,
      label: `cpu${core}`,
      labels: { core },
      ...perCore,
    })),
    ...['1m', '5m', '15m'].map((window) => ({
      key: `load.${window}`,
      label: window,
      labels: {},
      tab: 'cpu',
      chart: 'Load',
      unit: '',
      min: 0,
      max: 4,
    })),
  ];
}

function memoryShapes(): SeriesShape[] {
  const memory = percent('memory', 'Memory');
  return [
    { key: 'mem.used', label: 'used', labels: {}, ...memory },
    { key: 'mem.swap', label: 'swap', labels: {}, ...memory },
  ];
}

function diskShapes(): SeriesShape[] {
  const io = { tab: 'disk', chart: 'Disk I/O', unit: 'B/s', min: 0, max: 50e6 };
  const use = percent('disk', 'Disk use');
  return [
    ...['vda', 'vdb'].flatMap((disk) =>
      ['read', 'write'].map((direction) => ({
        key: `disk.${disk}.${direction}`,
        label: `${disk} ${direction}`,
        labels: { disk },
        ...io,
      })),
    ),
    ...['/', '/var', '/boot'].map((mount) => ({
      key: `df.${mount}`,
      label: mount,
      labels: { mount },
      ...use,
    })),
  ];
}

function networkShapes(): SeriesShape[] {
  const net = { tab: 'network', chart: 'Network', unit: 'B/s', min: 0, max: 10e6 };
  return ['eth0', 'eth1'].flatMap((iface) =>
    ['rx', 'tx'].map((direction) => ({
      key: `net.${iface}.${direction}`,
      label: `${iface} ${direction}`,
      labels: { interface: iface },
      ...net,
    })),
  );
}

const SHAPES: readonly SeriesShape[] = [
  ...cpuShapes(),
  ...memoryShapes(),
  ...diskShapes(),
  ...networkShapes(),
];

/** Series per host in the synthetic data. */
export const SERIES_PER_HOST = SHAPES.length;

/** The host ids `host01`...: `count` of them. */
export function syntheticHosts(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `host${String(index + 1).padStart(2, '0')}`);
}

/** Every series of every host. */
export function syntheticSeries(hosts: readonly string[]): SeriesMeta[] {
  return hosts.flatMap((host) =>
    SHAPES.map(({ min: _min, max: _max, ...meta }) => ({ host, ...meta })),
  );
}

/** A small deterministic generator (mulberry32), so that a cached database can be made again alike. */
function randomOf(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ticks of samples for `hosts`, one second apart from `startMs`, each value a bounded random walk. */
export class SyntheticTicks {
  private readonly random = randomOf(13);
  private readonly values: number[][];
  private tick = 0;

  constructor(
    private readonly hosts: readonly string[],
    private readonly startMs: number,
    private readonly intervalMs = 1000,
  ) {
    this.values = hosts.map(() =>
      SHAPES.map((shape) => shape.min + (shape.max - shape.min) * this.random()),
    );
  }

  /** The next tick: a sample per host, all at the tick's timestamp. */
  next(): Sample[] {
    const timestampMs = this.startMs + this.tick++ * this.intervalMs;
    return this.hosts.map((host, hostIndex) => ({
      host,
      timestampMs,
      values: this.step(hostIndex),
    }));
  }

  private step(hostIndex: number): Record<string, number> {
    const current = this.values[hostIndex]!;
    const values: Record<string, number> = {};
    SHAPES.forEach((shape, index) => {
      const span = shape.max - shape.min;
      // A step of up to 2% of the range, kept inside it: smooth lines like a real host's.
      const next = current[index]! + (this.random() - 0.5) * 0.04 * span;
      current[index] = Math.min(shape.max, Math.max(shape.min, next));
      values[shape.key] = Math.round(current[index] * 100) / 100;
    });
    return values;
  }
}
