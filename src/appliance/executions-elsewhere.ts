import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * An API node on a shared store follows the executions other nodes run: the store says which
 * one started or changed status (PostgreSQL NOTIFY nrx_execution), the record is read and handed
 * on. Ids arriving in one burst are read once each.
 */
export function followExecutionsElsewhere(opts: {
  store: Pick<Store, 'getExecution' | 'workQueue'>;
  /** Runs here: the engine reports it itself. */
  runsHere: (executionId: string) => boolean;
  onUpdate: (rec: ExecutionRecord) => void;
}): void {
  let due = new Set<string>();
  let scheduled = false;
  const readDue = async (): Promise<void> => {
    scheduled = false;
    const ids = due;
    due = new Set();
    for (const id of ids) {
      if (opts.runsHere(id)) continue;
      const rec = await opts.store.getExecution(id).catch(() => null);
      if (rec && !opts.runsHere(id)) opts.onUpdate(rec);
    }
  };
  opts.store.workQueue.watchExecutions((id) => {
    if (!id || opts.runsHere(id)) return;
    due.add(id);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void readDue());
    }
  });
}
