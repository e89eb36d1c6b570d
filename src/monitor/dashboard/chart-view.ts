/**
 * The charts of the shown tab: one uPlot per chart group, sharing the host's columns (no copy).
 * Charts are rebuilt only when the layout or the theme changes; new points are a `setData`.
 * A zoom (a drag over a chart; the others follow through the cursor sync) is kept while live
 * points arrive, until a double-click returns to the whole range.
 * Hover moves one cursor over every chart, and shows a point's details (a process's command, its
 * memory) in one tooltip element: nothing in the page is made per point.
 */
import type { MonitorEvent } from '../api-types.js';
import type { ChartGroup, TabGroup } from './chart-groups.js';
import { layoutKey } from './chart-groups.js';
import { eventAt, eventLayerPlugin } from './event-layer.js';
import { formatTick, formatValue } from './format.js';
import type { HostData } from './host-data.js';
import { chartHeightPx, showPointDetails } from './point-tooltip.js';
import type { ThemeColors } from './theme.js';

/** What the charts need from the page. */
export interface ChartViewContext {
  container: HTMLElement;
  tooltip: HTMLElement;
  events(): readonly MonitorEvent[];
  /** Whether the time axis reaches the newest event past the last point (a mark made now). */
  followsEvents(): boolean;
  /** A click on (or near) an event's line or band. */
  onEventClick(event: MonitorEvent, clientX: number, clientY: number): void;
}

interface Chart {
  group: ChartGroup;
  plot: uPlot;
}

const PALETTE = ['#4e9af1', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#edc948', '#76b7b2'];
const MORE_COLORS = ['#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#d37295', '#8cd17d'];

/** The charts of one tab. */
export class ChartView {
  private charts: Chart[] = [];
  private shownLayout = '';
  private data: HostData | undefined;
  private colors: ThemeColors | undefined;
  /** A drag zoomed in: new data keeps the time axis where the user put it. */
  private zoomed = false;

  constructor(private readonly context: ChartViewContext) {}

  /** Shows `tab` with `data`, rebuilding the charts only when their layout or colours changed. */
  show(tab: TabGroup | undefined, data: HostData, colors: ThemeColors): void {
    const layout = `${layoutKey(tab)}#${colors.text}`;
    this.data = data;
    if (layout !== this.shownLayout) {
      this.destroy();
      this.shownLayout = layout;
      this.colors = colors;
      this.charts = (tab?.charts ?? []).map((group) => this.build(group, data, colors));
      if (this.charts.length === 0)
        this.context.container.textContent = 'No series in this tab yet.';
      return;
    }
    for (const chart of this.charts) chart.plot.setData(columnsOf(chart.group, data), !this.zoomed);
  }

  /** Draws the events again (after one was added, changed or deleted), the axis fitted to them. */
  redrawEvents(): void {
    for (const chart of this.charts) chart.plot.setData(chart.plot.data, !this.zoomed);
  }

  /** Fits the charts to the container's width. */
  resize(): void {
    const width = this.widthPx();
    for (const chart of this.charts) chart.plot.setSize({ width, height: chartHeightPx() });
  }

  /** Removes every chart. */
  destroy(): void {
    for (const chart of this.charts) chart.plot.destroy();
    this.charts = [];
    this.shownLayout = '';
    this.zoomed = false;
    this.context.container.replaceChildren();
  }

  /** The colours last drawn with. */
  get themeColors(): ThemeColors | undefined {
    return this.colors;
  }

  private build(group: ChartGroup, data: HostData, colors: ThemeColors): Chart {
    const box = document.createElement('section');
    box.className = 'chart';
    box.dataset.chart = group.key;
    this.context.container.append(box);
    const plot = new uPlot(this.optionsOf(group, colors), columnsOf(group, data), box);
    plot.over.addEventListener('click', (click) => this.onClick(plot, click));
    // uPlot's own double-click (every synced chart's) has reset the axis: follow the data again.
    plot.over.addEventListener('dblclick', () => (this.zoomed = false));
    return { group, plot };
  }

  private optionsOf(group: ChartGroup, colors: ThemeColors): uPlot.Options {
    const axis = {
      stroke: colors.text,
      grid: { stroke: colors.grid },
      ticks: { stroke: colors.grid },
    };
    return {
      title: group.title,
      width: this.widthPx(),
      height: chartHeightPx(),
      ms: 1,
      series: [
        { value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' },
        ...group.series.map((series, index) => seriesOptions(series.label, group.unit, index)),
      ],
      axes: [
        axis,
        {
          ...axis,
          size: 72,
          values: (_plot, splits) => splits.map((v) => formatTick(v, group.unit)),
          ...(isBytes(group.unit) ? { incrs: BYTE_INCREMENTS } : {}),
        },
      ],
      scales: {
        x: { time: true, range: (_plot, min, max) => [min, this.timeAxisEndMs(max)] },
        y: { range: rangeOf(group.unit) },
      },
      cursor: { sync: { key: 'otto-monitor' } },
      plugins: [
        eventLayerPlugin({ events: () => this.context.events(), textColor: () => colors.text }),
        {
          hooks: {
            setCursor: (plot: uPlot) => this.onCursor(plot, group),
            setSelect: (plot: uPlot) => {
              if (plot.select.width > 0) this.zoomed = true;
            },
            setScale: (plot: uPlot, key: string) => {
              if (key === 'x') noteTimeAxis(plot);
            },
          },
        },
      ],
    };
  }

  /** The last point's time, or the newest event's when later (and not in the future). */
  private timeAxisEndMs(lastMs: number | null): number | null {
    if (lastMs === null || !this.context.followsEvents()) return lastMs;
    const nowMs = Date.now();
    let endMs = lastMs;
    for (const event of this.context.events()) {
      const eventMs = event.endTimestampMs ?? event.timestampMs;
      if (eventMs > endMs && eventMs <= nowMs) endMs = eventMs;
    }
    return endMs;
  }

  private onCursor(plot: uPlot, group: ChartGroup): void {
    if (this.data) showPointDetails(this.context.tooltip, plot, group, this.data);
  }

  private onClick(plot: uPlot, click: MouseEvent): void {
    const leftPx = click.clientX - plot.over.getBoundingClientRect().left;
    const event = eventAt(plot, this.context.events(), leftPx);
    if (event) this.context.onEventClick(event, click.clientX, click.clientY);
  }

  private widthPx(): number {
    return Math.max(320, this.context.container.clientWidth - 16);
  }
}

/** The time axis's bounds on the chart's element (`data-x-min-ms`), for tests and tools. */
function noteTimeAxis(plot: uPlot): void {
  const box = plot.root.parentElement;
  const { min, max } = plot.scales.x ?? {};
  if (!box || min === undefined || max === undefined) return;
  box.dataset.xMinMs = String(Math.round(min));
  box.dataset.xMaxMs = String(Math.round(max));
}

/** Tick steps for bytes: 1, 2, 4... 512 times a power of 1024, so ticks read `256 KiB/s`, `1 MiB/s`. */
const BYTE_INCREMENTS = [0, 1, 2, 3, 4, 5].flatMap((power) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((step) => step * 1024 ** power),
);

function isBytes(unit: string): boolean {
  return unit === 'B' || unit === 'B/s';
}

function seriesOptions(label: string, unit: string, index: number): uPlot.Series {
  const colors = [...PALETTE, ...MORE_COLORS];
  return {
    label,
    stroke: colors[index % colors.length],
    width: 1.5,
    points: { show: false },
    value: (_plot, value) => formatValue(value, unit),
  };
}

/** Percentages from 0 to at least 100; other values from 0 (or below, when negative). */
function rangeOf(unit: string): uPlot.Range.Function {
  return (_plot, min, max) => {
    const low = Math.min(0, min ?? 0);
    if (unit === '%') return [low, Math.max(100, max ?? 0)];
    const high = max === null || max <= low ? low + 1 : max * 1.08;
    return [low, high];
  };
}

function columnsOf(group: ChartGroup, data: HostData): uPlot.AlignedData {
  return [data.timestamps, ...group.series.map((series) => data.column(series.id))];
}
