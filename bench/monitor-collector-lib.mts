// The collector part's tick loop and its table, shared by the container and SSH
// variants. A round reads each target's CPU time, runs its command once per tick for `ticks` ticks
// (all targets in the same ticks, a tick every interval, or later when a command took longer), and
// reads the CPU time again. The share is the CPU time per tick over the interval, in % of a core:
// what a host pays at that interval, even when a busy machine stretched some ticks.
import { setTimeout as delay } from 'node:timers/promises';
import type { Host, HostSession } from '../src/hosts/host.ts';
import type { CollectContender } from './monitor-collector-contenders.mts';
import { formatMs, formatRatio, printTable, medianOf } from './monitor-report.mts';

/** A contender on its host, with what its ticks measured. */
export interface PolledTarget {
  contender: CollectContender;
  host: Host;
  /** The host's CPU time so far, ns. */
  cpuNs(): Promise<number>;
  /** Ticks done so far, for a target that ticks by itself (a Monitor); else the round's count. */
  ticksDone?(): number;
  /** The contender's own persistent shell, opened on first use when it runs on one. */
  session?: HostSession;
  /** Wall time of each tick's command. */
  tickMs: number[];
  /** Standard output of each tick's command. */
  outputBytes: number[];
}

/** Runs the contender's command once (a oneshot, or a run on its own shell); its output. */
async function runContender(target: PolledTarget, timeoutMs: number): Promise<string | undefined> {
  const { command, session, role } = target.contender;
  if (command !== undefined) return (await target.host.oneshot(command, { timeoutMs })).stdout;
  if (session === undefined) return undefined;
  target.session ??= await target.host.openSession(`bench-${role}`);
  const run = await target.session.run(session, { timeoutMs });
  return run.results.map((result) => result.output).join('\n');
}

/** Runs one contender's command and records its wall time and output size. */
async function tickOnce(target: PolledTarget, timeoutMs: number): Promise<void> {
  const startMs = performance.now();
  const output = await runContender(target, timeoutMs);
  if (output === undefined) return;
  target.tickMs.push(performance.now() - startMs);
  target.outputBytes.push(Buffer.byteLength(output));
}

/** One round of `ticks` ticks over every target; resolves to each target's CPU share, in %. */
export async function measureRound(
  targets: readonly PolledTarget[],
  ticks: number,
  intervalMs: number,
): Promise<Map<PolledTarget, number>> {
  const before = await Promise.all(targets.map((target) => target.cpuNs()));
  const ticksBefore = targets.map((target) => target.ticksDone?.() ?? 0);
  for (let tick = 0; tick < ticks; tick++) {
    const tickStartMs = performance.now();
    await Promise.all(targets.map((target) => tickOnce(target, 2 * intervalMs)));
    // The tick period, not a settle time: the next tick starts one interval after this one did.
    await delay(Math.max(0, tickStartMs + intervalMs - performance.now()));
  }
  const after = await Promise.all(targets.map((target) => target.cpuNs()));
  return new Map(
    targets.map((target, index) => {
      const done = target.ticksDone ? target.ticksDone() - ticksBefore[index]! : ticks;
      const cpuPerTickNs = (after[index]! - before[index]!) / Math.max(done, 1);
      return [target, (100 * cpuPerTickNs) / (intervalMs * 1e6)];
    }),
  );
}

/** One row of the collector's table: a target and its CPU share in each round. */
export interface CollectorRow {
  target: PolledTarget;
  sharesPercent: number[];
}

/** Medians of the rows, by role, for the summary line. */
export type CollectorSummary = Partial<Record<CollectContender['role'], number>>;

const pct = (value: number | undefined): string => `${(value ?? NaN).toFixed(2)}%`;

/** Ours against otto's, by oneshot, by persistent shell, and each as it runs in its product. */
function summarize(summary: CollectorSummary): string {
  const floor = summary.floor ?? NaN;
  const ratio = (ours: number | undefined, otto: number | undefined): string =>
    formatRatio((ours ?? NaN) / (otto ?? NaN));
  const parts = [
    `oneshot per tick: otto-ts ${pct(summary.ours)} vs otto's line ${pct(summary.otto)} of a core (${ratio(summary.ours, summary.otto)}), less the exec floor ${pct((summary.ours ?? NaN) - floor)} vs ${pct((summary.otto ?? NaN) - floor)} (${ratio((summary.ours ?? NaN) - floor, (summary.otto ?? NaN) - floor)})`,
    `persistent shell: ${pct(summary['ours-session'])} vs ${pct(summary['otto-session'])} (${ratio(summary['ours-session'], summary['otto-session'])})`,
    `as each product runs it (our oneshot, otto's shell): ${ratio(summary.ours, summary['otto-session'])}`,
  ];
  return `summary: ${parts.join('; ')}.`;
}

/** Prints the collector table (CPU share, net of the idle baseline and of the floor, ratio to otto's). */
export function reportCollector(title: string, rows: readonly CollectorRow[]): CollectorSummary {
  const summary: CollectorSummary = {};
  // The first row of a role speaks for it (ours: the defaults, not `processes: 5`).
  for (const row of [...rows].reverse())
    summary[row.target.contender.role] = medianOf(row.sharesPercent);
  printTable(
    title,
    [
      'contender',
      'CPU per tick',
      '% of a core at 1 s',
      'range',
      'less idle',
      'less the exec floor',
      "ratio to otto's, same way",
      'wall per tick',
      'output',
    ],
    rows.map((row) => formatCollectorRow(row, summary)),
  );
  console.log(`\n${summarize(summary)}`);
  return summary;
}

function formatCollectorRow(row: CollectorRow, summary: CollectorSummary): string[] {
  const value = medianOf(row.sharesPercent);
  const { contender, tickMs, outputBytes } = row.target;
  const byOneshot = contender.command !== undefined || contender.role === 'monitor';
  const otto = byOneshot ? summary.otto : summary['otto-session'];
  return [
    contender.name,
    formatMs(value * 10), // ms per tick: the share is of a 1 s interval
    pct(value),
    `${Math.min(...row.sharesPercent).toFixed(2)}–${pct(Math.max(...row.sharesPercent))}`,
    pct(value - (summary.idle ?? 0)),
    byOneshot ? pct(value - (summary.floor ?? NaN)) : '—',
    contender.role === 'idle' ? '—' : formatRatio(value / (otto ?? NaN)),
    tickMs.length > 0 ? formatMs(medianOf(tickMs)) : '—',
    outputBytes.length > 0 ? `${(medianOf(outputBytes) / 1024).toFixed(1)} KiB` : '—',
  ];
}

/** Runs each contender's command once and checks that its output reads as it should. */
export async function checkContenders(targets: readonly PolledTarget[]): Promise<void> {
  for (const target of targets) {
    const output = await runContender(target, 10_000);
    if (output !== undefined) target.contender.check?.(output, target.host.id);
  }
}
