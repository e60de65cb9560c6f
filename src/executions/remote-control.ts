import type { ExecutionRecord } from '../store/records.js';
import { TERMINAL_STATUSES } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ExecutionPlacement } from './ownership.js';

/**
 * A control for an execution this process does not run, on a shared store: one that waits for
 * a worker is taken here and canceled at once (`cancelClaimed`); one another node runs gets a
 * control request, which its owner carries out. Null: nothing to do here, the caller answers as
 * for one process.
 */
export async function controlElsewhere(
  store: Store,
  placement: ExecutionPlacement,
  executionId: string,
  op: 'cancel' | 'pause' | 'resume',
  cancelClaimed: (rec: ExecutionRecord) => Promise<void>,
): Promise<ExecutionRecord | null> {
  const rec = await store.getExecution(executionId);
  if (!rec || TERMINAL_STATUSES.has(rec.status)) return null;
  if (op === 'cancel' && !rec.owner) {
    const claimed = await store.workQueue.claimOne(placement.node, executionId);
    if (claimed) {
      const r = claimed.record;
      r.owner = placement.node;
      await cancelClaimed(r);
      return r;
    }
    // a worker took it meanwhile: ask that worker
  }
  const now = (await store.getExecution(executionId)) ?? rec;
  if (!now.owner || now.owner === placement.node || TERMINAL_STATUSES.has(now.status)) return null;
  await store.commit([{ op: 'addControlRequest', executionId, control: op }]);
  return now;
}
