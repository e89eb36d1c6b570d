/**
 * The time range shown: the last 5 min / 1 h / 6 h / 24 h (of the recording: up to its last
 * sample), all of it, or fixed bounds from the URL (`?from=…&to=…`, in ms since the epoch or as
 * ISO dates). A range without an end follows live samples.
 */

/** A range of time to show. */
export type TimeRange =
  | { kind: 'last'; name: string; durationMs: number }
  | { kind: 'all' }
  | { kind: 'fixed'; fromMs: number; toMs: number | undefined };

/** The choices of the range selector, by name. */
export const RANGE_CHOICES: Readonly<Record<string, number>> = {
  '5m': 5 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
};

/** The range the URL asks for: `from`/`to`, else `range=<5m|1h|6h|24h|all>`, else `fallback`. */
export function rangeFromUrl(params: URLSearchParams, fallback: string): TimeRange {
  const fromMs = parseTime(params.get('from'));
  if (fromMs !== undefined) return { kind: 'fixed', fromMs, toMs: parseTime(params.get('to')) };
  return rangeNamed(params.get('range') ?? fallback) ?? rangeNamed(fallback) ?? { kind: 'all' };
}

/** The range of a selector choice; undefined for an unknown name. */
export function rangeNamed(name: string): TimeRange | undefined {
  if (name === 'all') return { kind: 'all' };
  const durationMs = RANGE_CHOICES[name];
  return durationMs === undefined ? undefined : { kind: 'last', name, durationMs };
}

/** The selector's value for a range (`custom` for fixed bounds). */
export function rangeName(range: TimeRange): string {
  if (range.kind === 'last') return range.name;
  return range.kind === 'all' ? 'all' : 'custom';
}

/** The bounds to ask `/api/data` for, given the last sample's time. */
export function rangeBounds(
  range: TimeRange,
  lastMs: number | undefined,
): { fromMs?: number; toMs?: number } {
  if (range.kind === 'all') return {};
  if (range.kind === 'fixed') return { fromMs: range.fromMs, toMs: range.toMs };
  return { fromMs: (lastMs ?? Date.now()) - range.durationMs };
}

/** True when live samples extend the range (it has no fixed end). */
export function followsLive(range: TimeRange): boolean {
  return range.kind !== 'fixed' || range.toMs === undefined;
}

/** Writes the range into URL parameters (replacing what was there). */
export function writeRange(range: TimeRange, params: URLSearchParams): void {
  params.delete('from');
  params.delete('to');
  params.delete('range');
  if (range.kind !== 'fixed') return params.set('range', rangeName(range));
  params.set('from', String(range.fromMs));
  if (range.toMs !== undefined) params.set('to', String(range.toMs));
}

function parseTime(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
