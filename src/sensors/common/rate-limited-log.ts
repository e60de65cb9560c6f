import type { Logger } from '../../core/log.js';

/**
 * A warning log that cannot be turned into a flood: a device spraying garbage at 100k
 * messages a second must not write 100k log lines. At most `burst` lines per `intervalMs`;
 * the number suppressed meanwhile is reported with the next line that gets through.
 */
export class RateLimitedLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    private readonly opts: { burst?: number; intervalMs?: number; now?: () => number } = {},
  ) {}

  /** Log `msg` with `fields` unless the budget for this interval is spent. Returns whether it was written. */
  warn(fields: Record<string, unknown>, msg: string): boolean {
    const now = (this.opts.now ?? Date.now)();
    const interval = this.opts.intervalMs ?? 10_000;
    if (now - this.windowStart >= interval) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= (this.opts.burst ?? 10)) {
      this.suppressed++;
      return false;
    }
    this.inWindow++;
    const extra = this.suppressed > 0 ? { suppressed: this.suppressed } : {};
    this.suppressed = 0;
    this.log.warn({ ...fields, ...extra }, msg);
    return true;
  }

  /** How many lines were held back since the last one written. */
  get pendingSuppressed(): number {
    return this.suppressed;
  }
}
