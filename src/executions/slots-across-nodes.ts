import { describeError } from '../core/errors.js';
import type { SlotFull, SlotWanted, WorkQueueRepository } from '../store/repositories/work-queue.js';
import type { CrossNodeWaitSide, Live } from './live.js';
import { Wakeup } from './wakeup.js';

/**
 * Concurrency slots (action.concurrency[.attr]) held in the shared store, so that a policy
 * counts the executions of every worker node, not of one.
 */
export interface SlotsAcrossNodes {
  /** A slot of each of `slots` for the execution, all or none: null when held, else the first full one. */
  take(slots: readonly SlotWanted[], executionId: string): Promise<SlotFull | null>;
  /** Free what the execution holds. */
  free(executionId: string): Promise<void>;
  /** Resolves when any node frees a slot, or after `ms`. */
  freed(ms: number): Promise<void>;
}

/** Slots in the store's concurrency_slots table; woken by the store's notifications (PostgreSQL NOTIFY) when one is freed. */
export class StoreSlots implements SlotsAcrossNodes {
  private readonly freedSlots = new Wakeup();

  constructor(
    private readonly workQueue: WorkQueueRepository,
    private readonly node: string,
  ) {
    workQueue.watch((what) => {
      if (what === 'slots') this.freedSlots.wake();
    });
  }

  take(slots: readonly SlotWanted[], executionId: string): Promise<SlotFull | null> {
    return this.workQueue.takeSlots(slots, executionId, this.node, new Date());
  }

  async free(executionId: string): Promise<void> {
    await this.workQueue.freeSlots(executionId);
    // a waiter on this node needs no notification round trip
    this.freedSlots.wake();
  }

  freed(ms: number): Promise<void> {
    return this.freedSlots.next(ms);
  }
}

/** A slot an execution wants, with its policy's word on what to do when it is full. */
export interface PolicySlot extends SlotWanted {
  onLimit: 'delay' | 'cancel';
}

/**
 * Take the execution's concurrency slots in the shared store (admitted by this node's own count
 * already): over a policy's threshold across the cluster, 'cancel' cancels it with
 * NRX_ERR_CONCURRENCY and 'delay' waits, woken when any slot is freed, or every second.
 */
export async function takeSlotsAcrossNodes(slots: SlotsAcrossNodes, wanted: readonly PolicySlot[], live: Live, side: CrossNodeWaitSide): Promise<void> {
  const { rec } = live;
  let told = '';
  for (;;) {
    if (!side.stillWaiting(live)) return;
    let full: SlotFull | null | undefined;
    try {
      full = await slots.take(
        wanted.map(({ key, threshold }) => ({ key, threshold })),
        rec.id,
      );
    } catch (e) {
      side.log.warn({ id: rec.id, err: describeError(e) }, 'concurrency slots across nodes: store not reachable, trying again');
    }
    if (!side.stillWaiting(live)) {
      // canceled or stopped while the slots were being taken: give them back
      if (full === null) await slots.free(rec.id).catch(() => {});
      return;
    }
    if (full === null) return side.proceed(live);
    if (full) {
      const policy = wanted.find((w) => w.key === full.key);
      const reason = `concurrency limit ${policy?.threshold ?? full.holders} reached for ${rec.action} across the cluster (${full.holders} holding a slot)`;
      if (policy?.onLimit === 'cancel') return side.finish(live, 'canceled', null, { code: 'NRX_ERR_CONCURRENCY', message: reason });
      if (told !== reason) {
        told = reason;
        rec.log.push(`waiting: ${reason}`);
        if (!(await side.persist(rec))) return;
      }
    }
    await slots.freed(1_000);
  }
}
