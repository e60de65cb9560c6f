/**
 * The parameters StackStorm's API accepts for its timer trigger types (its trigger type
 * schemas), checked when a rule loads so a typo fails there, naming the field, instead of a
 * timer that never fires. Semantics (what the schedule means) stay in schedule.ts.
 */

export interface TimerParameterProblem {
  field: string;
  message: string;
}

type FieldCheck = (v: unknown) => string | null;

const integerIn =
  (lo: number, hi: number): FieldCheck =>
  (v) =>
    Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi ? null : `must be a whole number from ${lo} to ${hi}, got ${JSON.stringify(v)}`;

/** APScheduler cron fields take a number in range or an expression (`*`, `*\/5`, `1-5`, `mon-fri`, `1,3`). */
const cronField =
  (lo: number, hi: number, names = false): FieldCheck =>
  (v) => {
    if (typeof v === 'number') return integerIn(lo, hi)(v);
    if (typeof v !== 'string' || v.trim() === '') return `must be a number from ${lo} to ${hi} or a cron expression, got ${JSON.stringify(v)}`;
    const text = names ? v.toLowerCase().replace(/mon|tue|wed|thu|fri|sat|sun/g, '0') : v;
    if (!/^[\d*,/-]+$/.test(text))
      return `must be a number from ${lo} to ${hi} or a cron expression (*, */5, 1-5, 1,3${names ? ', mon-fri' : ''}), got ${JSON.stringify(v)}`;
    for (const n of text.match(/\d+/g) ?? []) {
      // a step (*/90) may exceed the range only as a step; a value must be in range
      const asStep = new RegExp(`/${n}(?!\\d)`).test(text);
      if (!asStep && (Number(n) < lo || Number(n) > hi)) return `value ${n} is out of range ${lo}-${hi} in ${JSON.stringify(v)}`;
    }
    return null;
  };

const text: FieldCheck = (v) => (typeof v === 'string' && v.trim() !== '' ? null : `must be text, got ${JSON.stringify(v)}`);

const UNITS = ['weeks', 'days', 'hours', 'minutes', 'seconds'];

const SCHEMAS: Record<string, { required: string[]; fields: Record<string, FieldCheck> }> = {
  'core.st2.IntervalTimer': {
    required: ['unit', 'delta'],
    fields: {
      unit: (v) => (typeof v === 'string' && UNITS.includes(v) ? null : `must be one of ${UNITS.join(', ')}, got ${JSON.stringify(v)}`),
      // StackStorm takes whole numbers; a fraction (0.5 seconds) is kept working here, for tests and labs
      delta: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : `must be a number above 0, got ${JSON.stringify(v)}`),
    },
  },
  'core.st2.DateTimer': {
    required: ['date'],
    fields: {
      timezone: text,
      date: (v) =>
        typeof v === 'string' && Number.isFinite(Date.parse(v)) ? null : `must be an ISO date-time such as 2026-12-01T02:00:00Z, got ${JSON.stringify(v)}`,
    },
  },
  'core.st2.CronTimer': {
    required: [],
    fields: {
      timezone: text,
      year: cronField(1970, 9999),
      month: cronField(1, 12),
      day: cronField(1, 31),
      week: cronField(1, 53),
      day_of_week: cronField(0, 6, true),
      hour: cronField(0, 23),
      minute: cronField(0, 59),
      second: cronField(0, 59),
    },
  },
};

/** Whether `type` is a trigger type whose parameters are checked here. */
export function hasTimerParameters(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(SCHEMAS, type);
}

/** Every problem of a timer trigger's parameters (empty when they are what StackStorm accepts). */
export function timerParameterProblems(type: string, params: Record<string, unknown>): TimerParameterProblem[] {
  const schema = SCHEMAS[type];
  if (!schema) return [];
  const out: TimerParameterProblem[] = [];
  const known = Object.keys(schema.fields);
  for (const k of Object.keys(params))
    if (!known.includes(k)) out.push({ field: k, message: `${type} has no parameter '${k}' (it takes ${known.join(', ')})` });
  for (const k of schema.required) if (params[k] === undefined || params[k] === null) out.push({ field: k, message: `${type} needs '${k}'` });
  for (const [k, check] of Object.entries(schema.fields)) {
    if (params[k] === undefined || params[k] === null) continue;
    const problem = check(params[k]);
    if (problem) out.push({ field: k, message: `${type} ${k} ${problem}` });
  }
  if (type === 'core.st2.CronTimer' && !['second', 'minute', 'hour', 'day', 'month', 'day_of_week'].some((f) => params[f] !== undefined && params[f] !== null))
    out.push({ field: '', message: `${type} needs at least one of second, minute, hour, day, month, day_of_week` });
  return out;
}
