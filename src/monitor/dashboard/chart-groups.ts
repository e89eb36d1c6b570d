/**
 * How a host's series are laid out: tabs (CPU, Memory, Disk, Network, then custom tabs in the
 * order they first appear), and in each tab one chart per `chart` group, its series in order.
 */
import type { ApiSeries } from '../api-types.js';

/** One chart: the series that share a `chart` group within a tab. */
export interface ChartGroup {
  /** `<tab>/<chart>`: stable across reloads, for keeping charts when nothing changed. */
  key: string;
  title: string;
  unit: string;
  series: ApiSeries[];
}

/** One tab and its charts. */
export interface TabGroup {
  id: string;
  label: string;
  charts: ChartGroup[];
}

const BUILT_IN_TABS: Record<string, string> = {
  cpu: 'CPU',
  memory: 'Memory',
  disk: 'Disk',
  network: 'Network',
};

/** The tabs of one host, each with its charts; tabs without a series are left out. */
export function groupSeries(series: readonly ApiSeries[], host: string): TabGroup[] {
  const tabs = new Map<string, TabGroup>();
  for (const one of series) {
    if (one.host !== host) continue;
    const tab = tabOf(tabs, one.tab);
    const key = `${one.tab}/${one.chart}`;
    let chart = tab.charts.find((candidate) => candidate.key === key);
    if (!chart) tab.charts.push((chart = { key, title: one.chart, unit: one.unit, series: [] }));
    chart.series.push(one);
  }
  return [...tabs.values()].sort((a, b) => tabRank(a.id) - tabRank(b.id));
}

function tabOf(tabs: Map<string, TabGroup>, id: string): TabGroup {
  let tab = tabs.get(id);
  if (!tab) tabs.set(id, (tab = { id, label: tabLabel(id), charts: [] }));
  return tab;
}

/** Built-in tabs first, in their order; custom ones keep the order they appeared in (stable sort). */
function tabRank(id: string): number {
  const index = Object.keys(BUILT_IN_TABS).indexOf(id);
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}

/** `CPU` for `cpu`; a custom tab's id with its first letter raised: `database` → `Database`. */
export function tabLabel(id: string): string {
  return BUILT_IN_TABS[id] ?? id.charAt(0).toUpperCase() + id.slice(1);
}

/** A fingerprint of a tab's layout: charts are rebuilt only when it changes. */
export function layoutKey(tab: TabGroup | undefined): string {
  if (!tab) return '';
  return tab.charts
    .map((chart) => `${chart.key}:${chart.series.map((s) => s.id).join(',')}`)
    .join('|');
}

/** Series known, updated with `added` (a series of the same id replaced, new ones at the end). */
export function mergeSeries<T extends { id: string }>(
  known: readonly T[],
  added: readonly T[],
): T[] {
  const byId = new Map(known.map((series) => [series.id, series]));
  for (const series of added) byId.set(series.id, series);
  return [...byId.values()];
}
