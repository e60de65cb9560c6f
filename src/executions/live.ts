import type { ExecutionRecord } from '../store/records.js';
import type { ActionSpec } from './action.js';

/** An execution this process holds in memory while it is unfinished: its record and what running it needs. */
export interface Live {
  rec: ExecutionRecord;
  action: ActionSpec;
  /** Unredacted parameters: held in memory only. */
  params: Record<string, unknown>;
  abort?: AbortController;
  timer?: NodeJS.Timeout;
  timeoutMs: number | null;
  endReason?: 'canceled' | 'timeout';
}

/** How an execution ends: its final status, result and error. */
export type Finish = (live: Live, status: ExecutionRecord['status'], result: unknown, error: { code: string; message: string } | null) => Promise<void>;
