/**
 * Syslog timestamps as devices really send them, read without regular expressions (this runs
 * for every message). Two families:
 *  - RFC 3339 (RFC 5424, rsyslog's forward format, some 3164 senders): 2026-11-22T00:02:14.936152+00:00
 *  - BSD (RFC 3164) and vendor forms: `Nov 22 00:07:58`, Cisco `*Mar  1 00:00:00.123 UTC:`,
 *    `Mar  1 2024 00:00:00`, NX-OS `2018 Oct 31 08:12:52`, IOS-XR without a zone `Jul  7 20:16:14.834 :`.
 * BSD timestamps have no year and usually no zone. The year is the one that puts the time
 * within the 11 months before arrival or the month after it; a zone-less time that is a
 * whole number of quarter hours away from the arrival time is taken as the device's local time
 * at that offset (a device logging in local time, as RFC 3164 says it does).
 */

export interface ParsedTime {
  /** Epoch milliseconds, UTC. */
  ms: number;
  /** Index just after the timestamp (and its trailing ':' if any). */
  end: number;
}

const MONTH_KEYS = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [
    (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2),
    i,
  ]),
);

/** Zone abbreviations devices print, in minutes east of UTC. Unknown names are read as UTC. */
const ZONES: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  UT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  IST: 330,
  SGT: 480,
  HKT: 480,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
};

const QUARTER_HOUR_MS = 900_000;
const MONTH_MS = 31 * 86_400_000;
const YEAR_MS = 365 * 86_400_000;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `n` decimal digits at `pos`, or -1. */
function digits(s: string, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(pos + i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month0: number): number {
  if (month0 !== 1) return DAYS_IN_MONTH[month0]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function validClock(h: number, mi: number, sec: number): boolean {
  return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60;
}

/** Fractional seconds `.ddd...` at pos: [milliseconds, end]. */
function fraction(s: string, pos: number): [number, number] {
  if (s.charCodeAt(pos) !== 46 /* . */ || !isDigit(s.charCodeAt(pos + 1))) return [0, pos];
  let i = pos + 1;
  let ms = 0;
  let n = 0;
  while (isDigit(s.charCodeAt(i)) && n < 12) {
    if (n < 3) ms = ms * 10 + (s.charCodeAt(i) - 48);
    i++;
    n++;
  }
  for (let k = n; k < 3; k++) ms *= 10;
  return [ms, i];
}

/** RFC 3339 at `pos` (also with a space for 'T', and without an offset, read as UTC). */
export function parseRfc3339(s: string, pos: number): ParsedTime | null {
  const y = digits(s, pos, 4);
  if (y < 0 || s.charCodeAt(pos + 4) !== 45 || s.charCodeAt(pos + 7) !== 45) return null;
  const mo = digits(s, pos + 5, 2);
  const d = digits(s, pos + 8, 2);
  const t = s.charCodeAt(pos + 10);
  if (t !== 84 && t !== 116 && t !== 32) return null; // T, t or space
  const h = digits(s, pos + 11, 2);
  const mi = digits(s, pos + 14, 2);
  const sec = digits(s, pos + 17, 2);
  if (s.charCodeAt(pos + 13) !== 58 || s.charCodeAt(pos + 16) !== 58) return null;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1) || !validClock(h, mi, sec)) return null;
  const [ms, afterFrac] = fraction(s, pos + 19);
  let i = afterFrac;
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122)
    i++; // Z
  else if (z === 43 || z === 45) {
    const oh = digits(s, i + 1, 2);
    const colon = s.charCodeAt(i + 3) === 58;
    const om = digits(s, i + (colon ? 4 : 3), 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    i += colon ? 6 : 5;
  }
  return { ms: Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59), ms) - offsetMin * 60_000, end: i };
}

function month(s: string, pos: number): number {
  if (s.charCodeAt(pos + 3) !== 32) return -1;
  // three letters, case-folded, packed into one number: no substring per message
  const key = ((s.charCodeAt(pos) | 32) << 16) | ((s.charCodeAt(pos + 1) | 32) << 8) | (s.charCodeAt(pos + 2) | 32);
  return MONTH_KEYS.get(key) ?? -1;
}

function skipSpaces(s: string, pos: number): number {
  while (s.charCodeAt(pos) === 32) pos++;
  return pos;
}

/** `d` or `dd` (BSD pads with a space, some devices with a zero). */
function dayOfMonth(s: string, pos: number): [number, number] {
  const a = s.charCodeAt(pos);
  if (!isDigit(a)) return [-1, pos];
  const b = s.charCodeAt(pos + 1);
  if (isDigit(b)) return [(a - 48) * 10 + (b - 48), pos + 2];
  return [a - 48, pos + 1];
}

/** hh:mm:ss at pos. */
function clock(s: string, pos: number): [number, number, number] | null {
  const h = digits(s, pos, 2);
  const mi = digits(s, pos + 3, 2);
  const sec = digits(s, pos + 6, 2);
  if (s.charCodeAt(pos + 2) !== 58 || s.charCodeAt(pos + 5) !== 58 || !validClock(h, mi, sec)) return null;
  return [h, mi, Math.min(sec, 59)];
}

/** A zone after the clock: a known abbreviation, or any 2-6 capital letters followed by ':' (Cisco). */
function zone(s: string, pos: number): [number, number] | null {
  let i = pos;
  while (i - pos < 6) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) break;
    i++;
  }
  if (i === pos) return null;
  const name = s.slice(pos, i);
  const next = s.charCodeAt(i);
  const known = ZONES[name];
  if (next === 58 && i - pos >= 2) return [known ?? 0, i];
  if (known !== undefined && (next === 32 || Number.isNaN(next))) return [known, i];
  return null;
}

/**
 * A BSD/vendor timestamp at `pos`, with the year and zone resolved against `receivedAtMs`.
 * Returns null when there is none, so the caller can try other layouts.
 */
export function parseBsdTimestamp(s: string, pos: number, receivedAtMs: number, inferZone = true): ParsedTime | null {
  let i = pos;
  const flag = s.charCodeAt(i);
  if (flag === 42 || flag === 46) i++; // Cisco: '*' clock not set, '.' clock lost sync
  let year = -1;
  let mon: number;
  let day: number;
  if (isDigit(s.charCodeAt(i))) {
    // NX-OS: 2018 Oct 31 08:12:52
    year = digits(s, i, 4);
    if (year < 0 || s.charCodeAt(i + 4) !== 32) return null;
    i = skipSpaces(s, i + 4);
    mon = month(s, i);
    if (mon < 0) return null;
    [day, i] = dayOfMonth(s, skipSpaces(s, i + 4));
  } else {
    mon = month(s, i);
    if (mon < 0) return null;
    [day, i] = dayOfMonth(s, skipSpaces(s, i + 4));
  }
  if (day < 1 || day > 31 || s.charCodeAt(i) !== 32) return null;
  i = skipSpaces(s, i);
  if (year < 0 && s.charCodeAt(i + 4) === 32 && digits(s, i, 4) >= 0) {
    // Cisco/ASA with the year: Mar  1 2024 00:00:00
    year = digits(s, i, 4);
    i = skipSpaces(s, i + 4);
  }
  const hms = clock(s, i);
  if (!hms) return null;
  const [ms, afterFrac] = fraction(s, i + 8);
  i = afterFrac;
  let offsetMin: number | null = null;
  if (s.charCodeAt(i) === 32) {
    const z = zone(s, i + 1);
    if (z) {
      offsetMin = z[0];
      i = z[1];
    } else if (s.charCodeAt(i + 1) === 58 && s.charCodeAt(i + 2) === 32) {
      i++; // IOS-XR without a clock zone leaves its place empty: `20:16:14.834 : ifmgr[214]:`
    }
  }
  if (s.charCodeAt(i) === 58) i++; // Cisco ends the timestamp with ':'

  const zoneMs = (offsetMin ?? 0) * 60_000;
  let when: number;
  if (year >= 0) {
    if (day > daysInMonth(year, mon)) return null;
    when = Date.UTC(year, mon, day, hms[0], hms[1], hms[2], ms) - zoneMs;
  } else {
    // The year that puts the time in the 11 months before arrival or the month after it: a
    // Dec 31 message read on Jan 1 is last year's, a Jan 1 message from a fast clock is next year's.
    const y0 = utcYear(receivedAtMs);
    let best = Number.NaN;
    for (let k = 0; k < 3; k++) {
      const y = k === 0 ? y0 : k === 1 ? y0 - 1 : y0 + 1;
      if (day > daysInMonth(y, mon)) continue;
      const t = Date.UTC(y, mon, day, hms[0], hms[1], hms[2], ms) - zoneMs;
      if (t - receivedAtMs <= MONTH_MS && receivedAtMs - t < YEAR_MS - MONTH_MS) {
        best = t;
        break;
      }
      if (Number.isNaN(best) || Math.abs(t - receivedAtMs) < Math.abs(best - receivedAtMs)) best = t;
    }
    if (Number.isNaN(best)) return null;
    when = best;
  }
  if (offsetMin === null && inferZone) when -= inferredOffsetMs(when - receivedAtMs);
  return { ms: when, end: i };
}

// A flood's messages arrive within the same millisecond many times over: its year once.
let yearAtMs = Number.NaN;
let yearAt = 0;
function utcYear(ms: number): number {
  if (ms !== yearAtMs) {
    yearAtMs = ms;
    yearAt = new Date(ms).getUTCFullYear();
  }
  return yearAt;
}

/** A zone-less time `skew` ms from arrival: if that is a plausible UTC offset (quarter hours, -12 h..+14 h, within 2 min), the offset. */
function inferredOffsetMs(skew: number): number {
  if (Math.abs(skew) < QUARTER_HOUR_MS - 120_000 || skew > 14 * 3_600_000 + 120_000 || skew < -12 * 3_600_000 - 120_000) return 0;
  const quarters = Math.round(skew / QUARTER_HOUR_MS);
  return Math.abs(skew - quarters * QUARTER_HOUR_MS) <= 120_000 ? quarters * QUARTER_HOUR_MS : 0;
}

/** ISO 8601 UTC for an epoch, or null when outside what a syslog message could mean. */
export function isoOrNull(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < -2_208_988_800_000 || ms > 253_402_300_799_000) return null; // 1900..9999
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size >= 4096) isoCache.clear();
    iso = new Date(ms).toISOString();
    isoCache.set(ms, iso);
  }
  return iso;
}

// Devices log many lines per second with the same time stamp; formatting it once per second is enough.
const isoCache = new Map<number, string>();
