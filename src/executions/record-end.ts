import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ExecutionRecord } from '../store/records.js';
import type { Store, WriteOp } from '../store/store.js';

/**
 * An execution's end written to the store, tried again while the store fails with an error
 * that may pass (a database restarting, a locked file): an end not recorded leaves the
 * execution running in the store, and its workflow waiting, for as long as this process lives
 * (no other node takes over the work of a node that is alive). Gives up when `stopping()`:
 * the next start recovers it by the recovery rule.
 */
export async function recordEnd(store: Store, log: Logger, rec: ExecutionRecord, ops: WriteOp[], stopping: () => boolean): Promise<void> {
  let delay = 250;
  let told = 0;
  for (;;) {
    try {
      await store.commit(ops);
      if (told) log.info({ id: rec.id, status: rec.status }, `execution ${rec.id}: its end is recorded now`);
      return;
    } catch (e) {
      if (!describeError(e).retryable || stopping()) throw e;
      if (Date.now() - told > 30_000) {
        told = Date.now();
        log.warn({ id: rec.id, err: describeError(e) }, `execution ${rec.id} (${rec.action}) ended as ${rec.status}; recording it failed, trying again`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
