import type { Logger } from './log.js';

/**
 * How many log lines one source may write: at most `burst` per `intervalMs`. A device spraying
 * garbage at 100k messages a second, or an error repeating on every event, must not write a
 * line each time; the number held back is reported with the next line that gets through.
 */
export class LogBudget {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(private readonly opts: { burst?: number; intervalMs?: number; now?: () => number } = {}) {}

  /** One more line now? Null when the budget is spent; otherwise how many were held back before it. */
  take(): { suppressed: number } | null {
    const now = (this.opts.now ?? Date.now)();
    if (now - this.windowStart >= (this.opts.intervalMs ?? 10_000)) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= (this.opts.burst ?? 10)) {
      this.suppressed++;
      return null;
    }
    this.inWindow++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return { suppressed };
  }

  /** How many lines were held back since the last one written. */
  get pending(): number {
    return this.suppressed;
  }
}

/** A warning log on a LogBudget. */
export class RateLimitedLog {
  private readonly budget: LogBudget;

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    opts: { burst?: number; intervalMs?: number; now?: () => number } = {},
  ) {
    this.budget = new LogBudget(opts);
  }

  /** Log `msg` with `fields` unless the budget for this interval is spent. Returns whether it was written. */
  warn(fields: Record<string, unknown>, msg: string): boolean {
    const t = this.budget.take();
    if (!t) return false;
    this.log.warn(t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields, msg);
    return true;
  }

  /** How many lines were held back since the last one written. */
  get pendingSuppressed(): number {
    return this.budget.pending;
  }
}
