import { ConfigError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/**
 * Parses a human duration (`"250ms"`, `"30s"`, `"1.5m"`, `"2h"`, `"7d"`, or a bare number of
 * milliseconds) into milliseconds.
 * @example parseDurationMs('30s') // 30000
 */
export function parseDurationMs(text: string | number): number {
  if (typeof text === 'number') return validateMs(text, String(text));
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new ConfigError(
      'INVALID_DURATION',
      `Invalid duration "${text}": expected a number with an optional unit (ms, s, m, h, d), e.g. "30s".`,
    );
  }
  return validateMs(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!, text);
}

function validateMs(ms: number, text: string): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ConfigError(
      'INVALID_DURATION',
      `Invalid duration "${text}": must be a non-negative number.`,
    );
  }
  return Math.round(ms);
}

/** Formats milliseconds for people: `850ms`, `12.3s`, `4m 05s`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}
