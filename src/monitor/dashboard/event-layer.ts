/**
 * Events over a chart, drawn on uPlot's canvas after the series: a mark is a vertical line, a
 * span a shaded band (open spans reach the right edge), each in its colour and dash with its
 * label at the top. Also finds the event under a click.
 */
import type { MonitorEvent } from '../api-types.js';

type EventDash = MonitorEvent['dash'];

/** Where the layer gets the events to draw and the text colour. */
export interface EventLayerSource {
  events(): readonly MonitorEvent[];
  textColor(): string;
}

const DASH_PATTERNS: Record<EventDash, number[]> = {
  solid: [],
  dot: [2, 4],
  dash: [8, 4],
  longdash: [16, 6],
  dashdot: [8, 4, 2, 4],
};

/** The uPlot plugin drawing `source`'s events on a chart. */
export function eventLayerPlugin(source: EventLayerSource): uPlot.Plugin {
  return { hooks: { draw: (chart: uPlot) => drawEvents(chart, source) } };
}

function drawEvents(chart: uPlot, source: EventLayerSource): void {
  const { ctx, bbox } = chart;
  const xMin = chart.scales.x?.min;
  const xMax = chart.scales.x?.max;
  if (xMin === undefined || xMax === undefined) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  const ratio = uPlot.pxRatio;
  ctx.font = `${Math.round(11 * ratio)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  let drawn = 0;
  for (const event of source.events()) {
    const endMs = event.kind === 'span' ? (event.endTimestampMs ?? xMax) : event.timestampMs;
    if (endMs < xMin || event.timestampMs > xMax) continue;
    const left = chart.valToPos(Math.max(event.timestampMs, xMin), 'x', true);
    const right = chart.valToPos(Math.min(endMs, xMax), 'x', true);
    drawOne(ctx, bbox, event, left, right, ratio, source.textColor());
    drawn += 1;
  }
  ctx.restore();
  // What was drawn, readable by tests (the canvas is not).
  chart.root.dataset.events = String(drawn);
}

function drawOne(
  ctx: CanvasRenderingContext2D,
  bbox: uPlot.BBox,
  event: MonitorEvent,
  left: number,
  right: number,
  ratio: number,
  textColor: string,
): void {
  if (event.kind === 'span') {
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = event.color;
    ctx.fillRect(left, bbox.top, Math.max(right - left, ratio), bbox.height);
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = event.color;
  ctx.lineWidth = 1.5 * ratio;
  ctx.setLineDash((DASH_PATTERNS[event.dash] ?? []).map((length) => length * ratio));
  strokeVertical(ctx, left, bbox);
  if (event.kind === 'span' && event.endTimestampMs !== undefined) strokeVertical(ctx, right, bbox);
  ctx.fillStyle = textColor;
  // Beside the line, on its left when the right would run out of the plot.
  const widthPx = ctx.measureText(event.label).width;
  const fits = left + 3 * ratio + widthPx <= bbox.left + bbox.width;
  ctx.fillText(
    event.label,
    fits ? left + 3 * ratio : left - 3 * ratio - widthPx,
    bbox.top + 2 * ratio,
  );
}

function strokeVertical(ctx: CanvasRenderingContext2D, x: number, bbox: uPlot.BBox): void {
  ctx.beginPath();
  ctx.moveTo(x, bbox.top);
  ctx.lineTo(x, bbox.top + bbox.height);
  ctx.stroke();
}

/** The event nearest to a click at `leftPx` (CSS pixels in the plot area), within 6 pixels. */
export function eventAt(
  chart: uPlot,
  events: readonly MonitorEvent[],
  leftPx: number,
): MonitorEvent | undefined {
  let best: MonitorEvent | undefined;
  let bestDistance = 6;
  for (const event of events) {
    const start = chart.valToPos(event.timestampMs, 'x');
    const end =
      event.kind === 'span' ? chart.valToPos(event.endTimestampMs ?? Date.now(), 'x') : start;
    const inside = event.kind === 'span' && leftPx >= start && leftPx <= end;
    const distance = inside ? 0 : Math.min(Math.abs(leftPx - start), Math.abs(leftPx - end));
    if (distance <= bestDistance) [best, bestDistance] = [event, distance];
  }
  return best;
}
