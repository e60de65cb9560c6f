import { describeError } from '../core/errors.js';

/**
 * Pauses between tries of a rules decision's write that failed with an error that may pass (a
 * database locked by another process, a connection lost): 0.25 s doubling to 4 s, about 25 s in
 * all. A write still failing after that is given up: its event stays pending in the store and is
 * decided again at the next start.
 */
export const DECISION_WRITE_PAUSES_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000, 4_000];

/** Deliveries of an event to the rules: the first, then one after each pause. */
export const DECISION_DELIVERIES = DECISION_WRITE_PAUSES_MS.length + 1;

/**
 * The pause before trying a write again after its `failures`-th failure with `error`; null when
 * it is not to be tried again (the error will not pass, the pauses are spent, or the appliance
 * is stopping).
 */
export function pauseBeforeRetry(error: unknown, failures: number, stopping: boolean): number | null {
  if (stopping || !describeError(error).retryable) return null;
  return DECISION_WRITE_PAUSES_MS[failures - 1] ?? null;
}
