import type { DeviceLockHolder, WorkQueueRepository } from '../store/repositories/work-queue.js';
import { StoreSlots, type SlotsAcrossNodes } from './slots-across-nodes.js';
import { Wakeup } from './wakeup.js';

/** Device locks held in the shared store, so that two workflows on two nodes never change one device at once. */
export interface DeviceLocksAcrossNodes {
  /** All of `keys` for the workflow `rootId`, or none: null when held, else who holds the first refused. */
  lock(keys: readonly string[], rootId: string): Promise<DeviceLockHolder | null>;
  unlock(keys: readonly string[], rootId: string): Promise<void>;
  /** Resolves when any node frees a device lock, or after `ms`. */
  freed(ms: number): Promise<void>;
}

/**
 * Several nodes share the store: the engine records each execution with the node that runs it
 * (its owner), or with none for a worker to claim when this node does not run executions. Secret
 * parameters travel sealed with the data directory's key, which every node has.
 */
export interface ExecutionPlacement {
  node: string;
  /** This node has the worker role. */
  runsExecutions: boolean;
  sealParameters(params: Record<string, unknown>): string;
  openParameters(token: string): Record<string, unknown>;
  /** Absent: device locks are this process's alone. */
  deviceLocks?: DeviceLocksAcrossNodes;
  /** Absent: concurrency policies count this process's executions alone. */
  concurrencySlots?: SlotsAcrossNodes;
}

/** Seals and opens text with the data directory's key (SecretCipher). */
export interface Sealer {
  encrypt(plain: string): string;
  decrypt(token: string): string;
}

export function placementOnSharedStore(opts: { node: string; runsExecutions: boolean; sealer: Sealer; workQueue: WorkQueueRepository }): ExecutionPlacement {
  const { node, sealer, workQueue } = opts;
  return {
    node,
    runsExecutions: opts.runsExecutions,
    sealParameters: (params) => sealer.encrypt(JSON.stringify(params)),
    openParameters: (token) => JSON.parse(sealer.decrypt(token)) as Record<string, unknown>,
    ...(opts.runsExecutions ? { deviceLocks: new StoreDeviceLocks(workQueue, node), concurrencySlots: new StoreSlots(workQueue, node) } : {}),
  };
}

/** Device locks in the store's device_locks table; woken by the store's notifications (PostgreSQL NOTIFY) when one is freed. */
class StoreDeviceLocks implements DeviceLocksAcrossNodes {
  private readonly freedLocks = new Wakeup();

  constructor(
    private readonly workQueue: WorkQueueRepository,
    private readonly node: string,
  ) {
    workQueue.watch((what) => {
      if (what === 'locks') this.freedLocks.wake();
    });
  }

  lock(keys: readonly string[], rootId: string): Promise<DeviceLockHolder | null> {
    return this.workQueue.lockDevices(keys, rootId, this.node, new Date());
  }

  async unlock(keys: readonly string[], rootId: string): Promise<void> {
    await this.workQueue.unlockDevices(keys, rootId);
    // a waiter on this node needs no notification round trip
    this.freedLocks.wake();
  }

  freed(ms: number): Promise<void> {
    return this.freedLocks.next(ms);
  }
}
