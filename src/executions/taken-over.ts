import { NrxError } from '../core/errors.js';
import type { ExecutionRecord } from '../store/records.js';
import type { WriteOp } from '../store/store.js';
import type { ExecutionPlacement } from './ownership.js';

/**
 * The write that makes a batch apply only while this node still owns the execution: on a
 * shared store, a node taken for dead (starved of CPU, cut off from the database for 15 s)
 * has its work moved to another node, and must neither start, step nor end it any more.
 */
export function fenceOf(placement: ExecutionPlacement | undefined, rec: ExecutionRecord): WriteOp[] {
  const p = placement;
  return p?.runsExecutions && rec.owner === p.node ? [{ op: 'assertOwner', executionId: rec.id, node: p.node }] : [];
}

/** The store refused a write because another node owns the execution now. */
export function isTakenOver(e: unknown): boolean {
  return e instanceof NrxError && e.code === 'NRX_ERR_NOT_OWNER';
}
