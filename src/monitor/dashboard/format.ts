/**
 * Numbers as the dashboard shows them, by unit: `42.5%`, `1.2 MiB/s`, `3.4 GiB`, `0.75`.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A value with its unit, for legends and hover text; `-` when there is none. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (unit === '%') return `${round(value)}%`;
  if (unit === 'B' || unit === 'B/s') return formatBytes(value, unit === 'B/s' ? '/s' : '');
  return unit === '' ? round(value) : `${round(value)} ${unit}`;
}

/** An axis tick: like {@link formatValue}, shorter. */
export function formatTick(value: number, unit: string): string {
  if (unit === '%') return `${round(value)}%`;
  if (unit === 'B' || unit === 'B/s') return formatBytes(value, unit === 'B/s' ? '/s' : '');
  return round(value);
}

/** Bytes humanised in powers of 1024: `512 B`, `1.5 KiB/s`. */
export function formatBytes(bytes: number, suffix = ''): string {
  let scaled = Math.abs(bytes);
  let index = 0;
  while (scaled >= 1024 && index < BYTE_UNITS.length - 1) {
    scaled /= 1024;
    index += 1;
  }
  const sign = bytes < 0 ? '-' : '';
  return `${sign}${round(scaled)} ${BYTE_UNITS[index]}${suffix}`;
}

/** Three significant digits at most, no trailing zeros: `0.125`, `12.5`, `1250`. */
export function round(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return String(Number(value.toFixed(digits)));
}

/** A time of day: `14:03:07`. */
export function formatTime(timestampMs: number): string {
  return new Date(timestampMs).toLocaleTimeString([], { hour12: false });
}

/** A bucket width: `30 s`, `5 min`. */
export function formatSpan(durationMs: number): string {
  if (durationMs < 1000) return `${durationMs} ms`;
  if (durationMs < 60_000) return `${round(durationMs / 1000)} s`;
  if (durationMs < 3_600_000) return `${round(durationMs / 60_000)} min`;
  return `${round(durationMs / 3_600_000)} h`;
}
