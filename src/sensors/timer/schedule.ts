import { CronExpressionParser } from 'cron-parser';
import { NrxError, type ErrorLocation } from '../../core/errors.js';

/**
 * StackStorm's timer trigger types, as rules declare them in `trigger.parameters`:
 * - core.st2.IntervalTimer {unit: seconds|minutes|hours|days|weeks, delta}
 * - core.st2.CronTimer {timezone, year, month, day, week, day_of_week, hour, minute, second} (APScheduler fields)
 * - core.st2.DateTimer {timezone, date}
 * A schedule answers one question: when is the next firing after `now`?
 */
export type Schedule = { kind: 'interval'; everyMs: number } | { kind: 'cron'; expression: string; timezone: string } | { kind: 'date'; at: number };

export const TIMER_TRIGGERS = ['core.st2.IntervalTimer', 'core.st2.CronTimer', 'core.st2.DateTimer'] as const;

const UNIT_MS: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 };
/** APScheduler cron fields, least significant first. */
const CRON_FIELDS = ['second', 'minute', 'hour', 'day', 'month', 'day_of_week'] as const;
const DOW: Record<string, string> = { mon: '1', tue: '2', wed: '3', thu: '4', fri: '5', sat: '6', sun: '0' };

export function parseSchedule(triggerType: string, params: Record<string, unknown>, where: ErrorLocation = {}): Schedule {
  const bad = (msg: string, field?: string): NrxError =>
    new NrxError('NRX_ERR_SPEC_INVALID', `${triggerType}: ${msg}`, {
      location: { ...where, field: field ? `trigger.parameters.${field}` : 'trigger.parameters' },
    });
  if (triggerType === 'core.st2.IntervalTimer') {
    const unit = String(params.unit ?? 'seconds');
    const delta = Number(params.delta);
    if (!UNIT_MS[unit]) throw bad(`unit must be one of ${Object.keys(UNIT_MS).join(', ')}`, 'unit');
    if (!Number.isFinite(delta) || delta <= 0) throw bad('delta must be a positive number', 'delta');
    return { kind: 'interval', everyMs: delta * UNIT_MS[unit]! };
  }
  if (triggerType === 'core.st2.CronTimer') {
    if (params.year !== undefined || params.week !== undefined) throw bad('year and week fields are not supported; use month/day/day_of_week');
    // APScheduler: fields below the least significant one given default to their minimum, above it to "every".
    const given = CRON_FIELDS.map((f) => params[f]);
    const lowest = given.findIndex((v) => v !== undefined && v !== null);
    if (lowest === -1) throw bad('give at least one of second, minute, hour, day, month, day_of_week');
    const parts = CRON_FIELDS.map((f, i) => {
      const v = params[f];
      if (v === undefined || v === null) return i < lowest ? (f === 'day' ? '1' : '0') : '*';
      let s = String(v).toLowerCase();
      if (f === 'day_of_week') s = s.replace(/mon|tue|wed|thu|fri|sat|sun/g, (d) => DOW[d]!);
      if (!/^[\d*,/-]+$/.test(s)) throw bad(`invalid ${f} value ${JSON.stringify(v)}`, f);
      return s;
    });
    const expression = parts.join(' ');
    const timezone = String(params.timezone ?? 'UTC');
    try {
      CronExpressionParser.parse(expression, { tz: timezone });
    } catch (e) {
      throw bad(`invalid schedule (${expression}, ${timezone}): ${(e as Error).message}`);
    }
    return { kind: 'cron', expression, timezone };
  }
  if (triggerType === 'core.st2.DateTimer') {
    // a date without an offset is taken as UTC, whatever `timezone` says (documented)
    const raw = String(params.date ?? '');
    const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) || !/T|\s/.test(raw) ? raw : `${raw}Z`);
    if (!Number.isFinite(at)) throw bad('date must be an ISO date-time, e.g. 2026-12-01T02:00:00Z', 'date');
    return { kind: 'date', at };
  }
  throw bad('not a timer trigger type');
}

/** The next firing strictly after `after` (ms since epoch), or null when there is none (a past DateTimer). */
export function nextFiring(s: Schedule, after: number, startedAt: number): number | null {
  if (s.kind === 'interval') return startedAt + (Math.floor((after - startedAt) / s.everyMs) + 1) * s.everyMs;
  if (s.kind === 'date') return s.at > after ? s.at : null;
  return CronExpressionParser.parse(s.expression, { currentDate: new Date(after), tz: s.timezone })
    .next()
    .getTime();
}
