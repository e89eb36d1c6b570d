/**
 * Hover text of points that carry details (a top process's command, user, RSS): one tooltip
 * element for the page, filled with text (never markup: commands come from the hosts) and moved
 * next to the cursor.
 */
import type { ChartGroup } from './chart-groups.js';
import { formatBytes, formatTime } from './format.js';
import type { HostData, PointDetail } from './host-data.js';

/** Height of one chart's plot, CSS pixels. */
export function chartHeightPx(): number {
  return 200;
}

/** Shows the details of the points under `plot`'s cursor, or hides the tooltip when none has. */
export function showPointDetails(
  tooltip: HTMLElement,
  plot: uPlot,
  group: ChartGroup,
  data: HostData,
): void {
  const index = plot.cursor.idx;
  const lines = index === null || index === undefined ? [] : detailLines(group, data, index);
  if (lines.length === 0) {
    if (tooltip.dataset.chart === group.key) tooltip.hidden = true;
    return;
  }
  tooltip.dataset.chart = group.key;
  tooltip.replaceChildren(
    ...[formatTime(data.timestamps[index!]!), ...lines].map((text) => {
      const line = document.createElement('div');
      line.textContent = text;
      return line;
    }),
  );
  const area = plot.over.getBoundingClientRect();
  tooltip.style.left = `${Math.round(area.left + (plot.cursor.left ?? 0) + 14)}px`;
  tooltip.style.top = `${Math.round(area.top + (plot.cursor.top ?? 0) + 14)}px`;
  tooltip.hidden = false;
}

function detailLines(group: ChartGroup, data: HostData, index: number): string[] {
  return group.series.flatMap((series) => {
    const detail = data.detailAt(series.id, index);
    return detail ? [`${series.label}: ${describeDetail(detail)}`] : [];
  });
}

/** `command=nginx, rssBytes=12.5 MiB`: fields named `…Bytes` humanised. */
export function describeDetail(detail: PointDetail): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${showField(key, value)}`)
    .join(', ');
}

function showField(key: string, value: string | number): string {
  if (typeof value === 'number' && /bytes$/i.test(key)) return formatBytes(value);
  return String(value);
}
