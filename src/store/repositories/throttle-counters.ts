/**
 * A rule's throttle counted across every rules node sharing the store (a cluster on PostgreSQL):
 * one counter per (rule, key) holding the executions still inside the sliding window and when the
 * rule last escalated. The rules module decides what a verdict means; this only counts, atomically.
 */

/** One firing of a throttled rule to count. */
export interface ThrottleClaim {
  rule: string;
  key: string;
  /** The event the rule fired for: claiming again for the same event gives the first verdict again. */
  eventId: string;
  /** When it fired (ms since the epoch, the deciding node's clock). */
  now: number;
  /** The sliding window. */
  perMs: number;
  /** Executions allowed per window. */
  max: number;
  /** The rule has a `then` action: the first firing over the limit in a window escalates. */
  escalates: boolean;
}

export interface ThrottleCount {
  kind: 'execute' | 'escalate' | 'throttled';
  /** Executions counted inside the window (including this one when it executes). */
  count: number;
}

export interface ThrottleCounterRepository {
  /**
   * Count each firing, in the order given (claims of one counter are decided in that order), each
   * atomically against every other node's: at most `max` executions per window per (rule, key),
   * the first firing over it escalates once per window, the rest are throttled. A claim for an
   * event already counted (the event decided again: its node died before recording the decision,
   * or two nodes decided it during a partition handover) returns the verdict it had, without
   * counting it twice.
   */
  claim(claims: readonly ThrottleClaim[]): Promise<ThrottleCount[]>;
}
