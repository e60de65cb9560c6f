import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Decision } from './enforcer.js';

/** What the timer needs from the rule enforcer: when the next hold runs out, and releasing it. */
export interface HeldDecisions {
  nextDeadline(): number | null;
  tick(now: number): Decision[];
}

/**
 * One timer for every hold-down: it is set for the earliest release the enforcer knows of, and
 * set again after each event (a new hold may be earlier) and after each release.
 */
export class HoldDownTimers {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly holds: HeldDecisions,
    /** Carry out and record the decisions of released holds. */
    private readonly release: (decisions: Decision[]) => Promise<void>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Set the timer for the earliest release (or clear it when nothing is held). */
  arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = this.holds.nextDeadline();
    if (next === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void (async () => {
          const decisions = this.holds.tick(this.now());
          if (decisions.length) await this.release(decisions);
          this.arm();
        })().catch((e) => this.log.error({ err: describeError(e) }, 'hold-down release failed'));
      },
      Math.max(0, next - this.now()),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
