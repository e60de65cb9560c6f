import { describeError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { LogBudget } from './rate-limited-log.js';

/**
 * Errors the appliance catches and carries on past: the hourly prune, a wait_for criterion
 * that throws, a hold-down key that does not render, a UDP socket error. None may vanish:
 * each is counted by where it happened (`/metrics`: netreflex_swallowed_errors_total{where})
 * and logged as a warning, at most a few lines per place and interval, so an error repeated
 * on every event cannot flood the log.
 *
 * Process-wide, like the log: a UDP socket or a rule enforcer has no appliance to report to.
 */

interface Place {
  count: number;
  budget: LogBudget;
}

const places = new Map<string, Place>();
let fallbackLog: Pick<Logger, 'warn'> | undefined;
/** Per place: five lines a minute, then a count of those held back. */
const BUDGET = { burst: 5, intervalMs: 60_000 };

export interface SwallowedError {
  /** Where it happened, a metric label: snake_case, a fixed word per call site (never data). */
  where: string;
  error: unknown;
  /** The log line's message: what failed and what happens instead. */
  msg: string;
  /** Context for the log line (rule, workflow, address); not a metric label. */
  fields?: Record<string, unknown>;
  /** The caller's logger; otherwise the one given to useSwallowedErrorLog, else a default. */
  log?: Pick<Logger, 'warn'>;
}

/** Count an error that is carried on past, and log it unless its place's log budget is spent. */
export function reportSwallowed(s: SwallowedError): void {
  let place = places.get(s.where);
  if (!place) places.set(s.where, (place = { count: 0, budget: new LogBudget(BUDGET) }));
  place.count++;
  const t = place.budget.take();
  if (!t) return;
  const log = s.log ?? (fallbackLog ??= createLogger());
  log.warn({ where: s.where, err: describeError(s.error), ...s.fields, ...(t.suppressed > 0 ? { suppressed: t.suppressed } : {}) }, s.msg);
}

/** Errors counted since start, by where. */
export function swallowedErrorCounts(): ReadonlyMap<string, number> {
  return new Map([...places].map(([where, p]) => [where, p.count]));
}

/** The logger for reports that bring none (the appliance's own). */
export function useSwallowedErrorLog(log: Pick<Logger, 'warn'>): void {
  fallbackLog = log;
}
