// Shared pieces of the monitor benchmark: a container's CPU time from its cgroup, markdown tables
// and number formats.
import { readFile } from 'node:fs/promises';
import type { EngineClient } from '../src/docker/engine/engine-client.ts';
import { median } from './lib.mjs';

/** Where a container's cumulative CPU time lives: cgroup v1 (cpuacct, ns) or v2 (cpu.stat, µs). */
function cgroupCandidates(id: string): Array<{ path: string; read: (text: string) => number }> {
  const v1 = (text: string): number => Number(text.trim());
  const v2 = (text: string): number => 1000 * Number(/^usage_usec (\d+)/m.exec(text)?.[1]);
  return [
    { path: `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, read: v1 },
    { path: `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, read: v1 },
    { path: `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, read: v2 },
    { path: `/sys/fs/cgroup/docker/${id}/cpu.stat`, read: v2 },
  ];
}

/**
 * CPU time a container has used since it started, in ns: every process in it, the execs that the
 * engine put in it included. Read from the cgroup file when this machine has it (exact, instant),
 * else from the engine's one-shot stats (`cpu_stats.cpu_usage.total_usage`).
 */
export async function readContainerCpuNs(engine: EngineClient, id: string): Promise<number> {
  for (const candidate of cgroupCandidates(id)) {
    const text = await readFile(candidate.path, 'utf8').catch(() => undefined);
    if (text !== undefined) return candidate.read(text);
  }
  const stats = await engine.json<{ cpu_stats: { cpu_usage: { total_usage: number } } }>({
    method: 'GET',
    path: `/containers/${id}/stats`,
    query: { stream: false, 'one-shot': true },
  });
  return stats.cpu_stats.cpu_usage.total_usage;
}

/** Which source {@link readContainerCpuNs} uses on this machine, for the report. */
export async function describeCpuSource(id: string): Promise<string> {
  for (const candidate of cgroupCandidates(id)) {
    const found = await readFile(candidate.path, 'utf8').then(
      () => true,
      () => false,
    );
    if (found) return candidate.path.replace(id, '<id>');
  }
  return 'the engine stats API (cpu_stats.cpu_usage.total_usage)';
}

/** Prints a markdown table under a `###` title. */
export function printTable(title: string, headers: string[], rows: Array<Array<string>>): void {
  console.log(`\n### ${title}\n`);
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** `1234567` as `1.23 M`, `12345` as `12.3 k`. */
export function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

/** Bytes as MiB. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A ratio, `0.42x`. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '—';
}

/** A positive integer from the environment, or its default. */
export function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name}=${process.env[name]} is not a whole number of 0 or more.`);
  return value;
}

/** lib.mjs's median, typed. */
export function medianOf(values: readonly number[]): number {
  return median([...values]) as number;
}
