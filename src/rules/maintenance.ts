import { specError, type YamlSource } from '../core/yaml.js';
import { compileGlob } from '../criteria/glob.js';
import { isPlainObject } from '../criteria/values.js';

/**
 * Maintenance windows: while a device is in one, rules that respect maintenance do not
 * act on its events. A window is either one-off (start..end, ISO-8601) or weekly
 * (days + from..to, UTC; `to` earlier than `from` runs past midnight into the next day).
 * A window naming neither devices nor groups covers every device.
 */

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface MaintenanceWindow {
  name: string;
  /** Device name globs (`core*`, `leaf[1-4]`). */
  devices: string[];
  groups: string[];
  /** One-off window, ms since the epoch. */
  start?: number;
  end?: number;
  /** Weekly window: days and minutes after midnight UTC. */
  days?: Weekday[];
  fromMinute?: number;
  toMinute?: number;
}

const DAY = 24 * 60;

type Src = Pick<YamlSource, 'file' | 'lineOf'>;

function stringList(src: Src, path: Array<string | number>, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw specError(src, path, 'must be a list of names');
  return v as string[];
}

function isoTime(src: Src, path: Array<string | number>, v: unknown): number {
  const text = v instanceof Date ? v.toISOString() : v;
  // Zone-less times are UTC, like the weekly windows.
  const t = typeof text === 'string' ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes(':') ? text : `${text}Z`) : NaN;
  if (Number.isNaN(t)) throw specError(src, path, `must be an ISO-8601 time such as 2024-05-01T22:00:00Z, got ${JSON.stringify(v)}`);
  return t;
}

function clock(src: Src, path: Array<string | number>, v: unknown): number {
  const m = typeof v === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(v.trim()) : null;
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > DAY) throw specError(src, path, `must be a UTC time "HH:MM" (00:00 to 24:00), got ${JSON.stringify(v)}`);
  return minutes;
}

function parseWindow(src: Src, i: number, w: unknown): MaintenanceWindow {
  const at = (k: string): Array<string | number> => ['windows', i, k];
  if (!isPlainObject(w)) throw specError(src, ['windows', i], 'each maintenance window must be a map');
  for (const k of Object.keys(w)) {
    if (!['name', 'devices', 'groups', 'start', 'end', 'days', 'from', 'to', 'description'].includes(k))
      throw specError(src, at(k), `unknown field '${k}' in a maintenance window`);
  }
  if (typeof w.name !== 'string' || w.name === '') throw specError(src, at('name'), 'a maintenance window needs a name');
  const devices = stringList(src, at('devices'), w.devices);
  for (const [j, d] of devices.entries()) {
    try {
      compileGlob(d);
    } catch (e) {
      throw specError(src, ['windows', i, 'devices', j], (e as Error).message);
    }
  }
  const base = { name: w.name, devices, groups: stringList(src, at('groups'), w.groups) };
  const oneOff = w.start !== undefined || w.end !== undefined;
  const weekly = w.days !== undefined || w.from !== undefined || w.to !== undefined;
  if (oneOff && weekly) throw specError(src, ['windows', i], `window '${w.name}': give either start/end or days/from/to, not both`);
  if (oneOff) {
    if (w.start === undefined) throw specError(src, at('start'), `window '${w.name}' has an end but no start`);
    if (w.end === undefined) throw specError(src, at('end'), `window '${w.name}' has a start but no end`);
    const start = isoTime(src, at('start'), w.start);
    const end = isoTime(src, at('end'), w.end);
    if (end <= start) throw specError(src, at('end'), `window '${w.name}' ends before it starts`);
    return { ...base, start, end };
  }
  if (!weekly) throw specError(src, ['windows', i], `window '${w.name}' needs start/end or days/from/to`);
  if (!Array.isArray(w.days) || w.days.length === 0) throw specError(src, at('days'), 'days must be a list such as [sat, sun]');
  const days = w.days.map((d, j) => {
    const day = typeof d === 'string' ? (d.toLowerCase().slice(0, 3) as Weekday) : undefined;
    if (!day || !WEEKDAYS.includes(day))
      throw specError(src, ['windows', i, 'days', j], `unknown day ${JSON.stringify(d)} (use mon, tue, wed, thu, fri, sat, sun)`);
    return day;
  });
  return { ...base, days, fromMinute: clock(src, at('from'), w.from ?? '00:00'), toMinute: clock(src, at('to'), w.to ?? '24:00') };
}

/** Parse `windows: [...]` from a maintenance YAML file; errors name file, line and field. */
export function parseMaintenanceFile(src: YamlSource): MaintenanceWindow[] {
  if (src.doc === null || src.doc === undefined) return [];
  if (!isPlainObject(src.doc)) throw specError(src, [], "a maintenance file must be a map with 'windows'");
  const windows = src.doc.windows ?? [];
  if (!Array.isArray(windows)) throw specError(src, ['windows'], "'windows' must be a list");
  const out = windows.map((w, i) => parseWindow(src, i, w));
  const seen = new Set<string>();
  out.forEach((w, i) => {
    if (seen.has(w.name)) throw specError(src, ['windows', i, 'name'], `duplicate maintenance window '${w.name}'`);
    seen.add(w.name);
  });
  return out;
}

function coversTime(w: MaintenanceWindow, now: number): boolean {
  if (w.start !== undefined && w.end !== undefined) return now >= w.start && now < w.end;
  if (!w.days) return false;
  const d = new Date(now);
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  const today = WEEKDAYS[d.getUTCDay()]!;
  const yesterday = WEEKDAYS[(d.getUTCDay() + 6) % 7]!;
  const from = w.fromMinute ?? 0;
  const to = w.toMinute ?? DAY;
  if (to > from) return w.days.includes(today) && minute >= from && minute < to;
  // Past midnight: the window starts on a listed day and runs into the next one.
  return (w.days.includes(today) && minute >= from) || (w.days.includes(yesterday) && minute < to);
}

function coversDevice(w: MaintenanceWindow, device: string | null, groups: readonly string[]): boolean {
  if (w.devices.length === 0 && w.groups.length === 0) return true;
  if (device !== null && w.devices.some((g) => compileGlob(g).test(device))) return true;
  return w.groups.some((g) => groups.includes(g));
}

/** Does this window suppress this device at this time? */
export function windowCovers(w: MaintenanceWindow, device: string | null, groups: readonly string[], now: number): boolean {
  return coversTime(w, now) && coversDevice(w, device, groups);
}

/** The first window that puts the device in maintenance now, or null. */
export function isInMaintenance(
  windows: readonly MaintenanceWindow[],
  device: string | null,
  groups: readonly string[],
  now: number,
): MaintenanceWindow | null {
  return windows.find((w) => windowCovers(w, device, groups, now)) ?? null;
}
