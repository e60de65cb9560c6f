import type { Logger } from '../core/log.js';
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

/** What waiting for something held across nodes (device locks, concurrency slots) needs from the engine. */
export interface CrossNodeWaitSide {
  log: Logger;
  /** Still waiting here: not canceled, not taken over, the engine not stopping. */
  stillWaiting(live: Live): boolean;
  /** Write the execution as it is now; false when another node took it over. */
  persist(rec: ExecutionRecord): Promise<boolean>;
  /** Everything wanted is held: go on starting it. */
  proceed(live: Live): Promise<void>;
  finish: Finish;
}
