import type { ExecutionStatus } from '../store/records.js';

/** StackStorm's action.retry policy, with exponential backoff as a netreflex extension. */
export interface RetryRule {
  actionRef: string;
  /** Retry after a failure (failed or timeout) or only after a timeout. */
  retryOn: 'failure' | 'timeout';
  maxRetryCount: number;
  delayMs: number;
  /** Each retry waits `backoff` times longer than the previous one (1 = constant). */
  backoff: number;
  maxDelayMs: number | null;
}

/** Delay before the next attempt, or null when no retry applies. `attempt` 0 is the first run. */
export function nextRetry(rule: RetryRule, status: ExecutionStatus, attempt: number): number | null {
  const applies = rule.retryOn === 'timeout' ? status === 'timeout' : status === 'failed' || status === 'timeout';
  if (!applies || attempt >= rule.maxRetryCount) return null;
  const d = rule.delayMs * Math.pow(rule.backoff, attempt);
  return rule.maxDelayMs !== null ? Math.min(d, rule.maxDelayMs) : d;
}
