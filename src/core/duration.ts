import { NrxError, type ErrorLocation } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Durations as operators write them: `15s`, `1h`, `500ms`, `2m30s`, or a bare number of
 * seconds (StackStorm's convention for timeouts and delays). Returns milliseconds.
 */
export function parseDuration(value: unknown, where: ErrorLocation = {}): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value === 'string') {
    const s = value.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
    let total = 0;
    let pos = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      total += Number(m[1]) * UNITS[m[2]!]!;
      pos = re.lastIndex;
    }
    if (pos === s.length && pos > 0) return total;
  }
  throw new NrxError('NRX_ERR_SPEC_INVALID', `invalid duration ${JSON.stringify(value)} (use e.g. 500ms, 15s, 10m, 1h, 2d or a number of seconds)`, {
    location: where,
  });
}
