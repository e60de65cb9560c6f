import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * How long the ids notified are gathered before they are read (ms): an execution's status
 * changes close together (requested, running, succeeded within a few ms for a quick action) are
 * read once, and the executions of a busy cluster a batch per query, not a query per change.
 */
export const ELSEWHERE_READ_MS = 50;

/**
 * An API node on a shared store follows the executions other nodes run: the nodes on the event
 * bus announce the ones they write there, the store says which one started or changed status
 * for the others (PostgreSQL NOTIFY nrx_execution); the records are read and handed on, the ids
 * of ELSEWHERE_READ_MS at a time in one query. A status an execution held for less than that
 * may not be seen; its last one always is.
 */
export async function followExecutionsElsewhere(opts: {
  store: Pick<Store, 'listExecutions' | 'workQueue'>;
  /** The event bus, where nodes announce the executions they write. */
  announced?: { watchExecutions(onChange: (executionId: string) => void): Promise<unknown> };
  /** Runs here: the engine reports it itself. */
  runsHere: (executionId: string) => boolean;
  onUpdate: (rec: ExecutionRecord) => void;
  readMs?: number;
}): Promise<void> {
  let due = new Set<string>();
  let scheduled = false;
  const readDue = async (): Promise<void> => {
    scheduled = false;
    const ids = [...due].filter((id) => !opts.runsHere(id));
    due = new Set();
    const recs = await opts.store.listExecutions({ ids, limit: ids.length }).catch(() => []);
    for (const rec of recs.reverse()) if (!opts.runsHere(rec.id)) opts.onUpdate(rec);
  };
  const changed = (id: string): void => {
    if (!id || opts.runsHere(id)) return;
    due.add(id);
    if (!scheduled) {
      scheduled = true;
      setTimeout(() => void readDue(), opts.readMs ?? ELSEWHERE_READ_MS);
    }
  };
  opts.store.workQueue.watchExecutions(changed);
  await opts.announced?.watchExecutions(changed);
}
