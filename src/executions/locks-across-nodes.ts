import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ExecutionRecord } from '../store/records.js';
import type { CrossNodeWaitSide, Live } from './live.js';
import type { DeviceLocksAcrossNodes } from './ownership.js';

/**
 * Take the execution's device locks in the shared store (all or none), waiting while a
 * workflow on another node holds one: woken when any lock is freed, or every second.
 */
export async function lockAcrossNodes(locks: DeviceLocksAcrossNodes, live: Live, side: CrossNodeWaitSide): Promise<void> {
  const keys = live.rec.context.locks ?? [];
  let told = '';
  for (;;) {
    if (!side.stillWaiting(live)) return;
    let holder: Awaited<ReturnType<typeof locks.lock>> | undefined;
    try {
      holder = await locks.lock(keys, live.rec.rootId);
    } catch (e) {
      side.log.warn({ id: live.rec.id, err: describeError(e) }, 'device locks across nodes: store not reachable, trying again');
    }
    if (!side.stillWaiting(live)) {
      // canceled or stopped while the lock was being taken: give it back
      if (holder === null) await locks.unlock(keys, live.rec.rootId).catch(() => {});
      return;
    }
    if (holder === null) return side.proceed(live);
    if (holder) {
      const reason = `device lock ${holder.key} is held by workflow ${holder.rootId} on node ${holder.node}`;
      if (live.action.deviceLock?.onConflict === 'fail') return side.finish(live, 'failed', null, { code: 'NRX_ERR_DEVICE_LOCKED', message: reason });
      if (told !== reason) {
        told = reason;
        live.rec.log.push(`waiting: ${reason}`);
        if (!(await side.persist(live.rec))) return;
      }
    }
    await locks.freed(1_000);
  }
}

/** The device locks its workflow no longer holds on this node (`heldHere` says which it does) are freed for the other nodes. */
export async function unlockAcrossNodes(locks: DeviceLocksAcrossNodes, rec: ExecutionRecord, heldHere: (key: string) => boolean, log: Logger): Promise<void> {
  const freed = (rec.context.locks ?? []).filter((k) => !heldHere(k));
  if (freed.length)
    await locks.unlock(freed, rec.rootId).catch((e: unknown) => log.warn({ id: rec.id, err: describeError(e) }, 'device locks across nodes not freed'));
}
