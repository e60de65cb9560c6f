/**
 * Admission control before an execution starts: per-action concurrency slots
 * (StackStorm's action.concurrency / action.concurrency.attr policies) and per-device locks
 * (two workflows never change one device at the same time). In memory: on restart the
 * engine rebuilds it from the executions that are still running.
 */

export interface ConcurrencyRule {
  actionRef: string;
  threshold: number;
  /** What to do over the threshold: wait for a slot, or cancel the new execution. */
  onLimit: 'delay' | 'cancel';
  /** Parameter names whose values split the slots (action.concurrency.attr). */
  attributes: string[];
}

export interface AdmissionRequest {
  executionId: string;
  rootId: string;
  actionRef: string;
  params: Record<string, unknown>;
  /** Device lock keys wanted (e.g. ['device:r1']) and what to do on conflict. */
  locks: string[];
  onLockConflict: 'wait' | 'fail';
}

export type AdmissionVerdict =
  { kind: 'admit' } | { kind: 'wait'; reason: string } | { kind: 'reject'; code: 'NRX_ERR_DEVICE_LOCKED' | 'NRX_ERR_CONCURRENCY'; reason: string };

export class Admission {
  private readonly rules = new Map<string, ConcurrencyRule[]>();
  /** slot key -> executions holding a slot */
  private readonly slots = new Map<string, Set<string>>();
  /** lock key -> { root execution id, holders (executions of that root) } */
  private readonly locks = new Map<string, { rootId: string; holders: Set<string> }>();
  /** executions waiting, in arrival order */
  private readonly waiting: AdmissionRequest[] = [];
  private readonly held = new Map<string, { slotKeys: string[]; lockKeys: string[] }>();

  constructor(rules: ConcurrencyRule[] = []) {
    for (const r of rules) {
      const list = this.rules.get(r.actionRef) ?? [];
      list.push(r);
      this.rules.set(r.actionRef, list);
    }
  }

  private slotKeys(req: Pick<AdmissionRequest, 'actionRef' | 'params'>): Array<{ key: string; rule: ConcurrencyRule }> {
    const out: Array<{ key: string; rule: ConcurrencyRule }> = [];
    for (const rule of this.rules.get(req.actionRef) ?? []) {
      const attrs = rule.attributes.map((a) => `${a}=${JSON.stringify(req.params[a] ?? null)}`).join(',');
      out.push({ key: `${rule.actionRef}|${rule.threshold}|${attrs}`, rule });
    }
    return out;
  }

  /** The concurrency slots an execution takes (one per policy of its action), with each policy's threshold and what it does over it. */
  slotsFor(req: Pick<AdmissionRequest, 'actionRef' | 'params'>): Array<{ key: string; threshold: number; onLimit: ConcurrencyRule['onLimit'] }> {
    return this.slotKeys(req).map(({ key, rule }) => ({ key, threshold: rule.threshold, onLimit: rule.onLimit }));
  }

  /** Whether executions of the action take concurrency slots at all. */
  hasPolicies(actionRef: string): boolean {
    return this.rules.has(actionRef);
  }

  /** Decide now, synchronously; admitted requests hold their slots and locks at once. */
  tryAdmit(req: AdmissionRequest, queueIfWaiting = true): AdmissionVerdict {
    for (const key of req.locks) {
      const l = this.locks.get(key);
      if (l && l.rootId !== req.rootId) {
        const reason = `device lock ${key} is held by workflow ${l.rootId}`;
        if (req.onLockConflict === 'fail') return { kind: 'reject', code: 'NRX_ERR_DEVICE_LOCKED', reason };
        if (queueIfWaiting) this.enqueue(req);
        return { kind: 'wait', reason };
      }
    }
    for (const { key, rule } of this.slotKeys(req)) {
      const used = this.slots.get(key)?.size ?? 0;
      if (used >= rule.threshold) {
        const reason = `concurrency limit ${rule.threshold} reached for ${rule.actionRef}`;
        if (rule.onLimit === 'cancel') return { kind: 'reject', code: 'NRX_ERR_CONCURRENCY', reason };
        if (queueIfWaiting) this.enqueue(req);
        return { kind: 'wait', reason };
      }
    }
    this.hold(req);
    return { kind: 'admit' };
  }

  private enqueue(req: AdmissionRequest): void {
    if (!this.waiting.some((w) => w.executionId === req.executionId)) this.waiting.push(req);
  }

  /** Record that an execution holds its slots and locks (also used when rebuilding after restart). */
  hold(req: AdmissionRequest): void {
    const slotKeys = this.slotKeys(req).map((s) => s.key);
    for (const k of slotKeys) {
      let set = this.slots.get(k);
      if (!set) this.slots.set(k, (set = new Set()));
      set.add(req.executionId);
    }
    for (const k of req.locks) {
      let l = this.locks.get(k);
      if (!l) this.locks.set(k, (l = { rootId: req.rootId, holders: new Set() }));
      l.holders.add(req.executionId);
    }
    this.held.set(req.executionId, { slotKeys, lockKeys: [...req.locks] });
  }

  /**
   * Release what an execution holds and return the waiting requests that can start now
   * (already admitted, in arrival order).
   */
  release(executionId: string): AdmissionRequest[] {
    const h = this.held.get(executionId);
    const i = this.waiting.findIndex((w) => w.executionId === executionId);
    if (i >= 0) this.waiting.splice(i, 1);
    if (!h) return [];
    this.held.delete(executionId);
    for (const k of h.slotKeys) {
      const set = this.slots.get(k);
      set?.delete(executionId);
      if (set && set.size === 0) this.slots.delete(k);
    }
    for (const k of h.lockKeys) {
      const l = this.locks.get(k);
      l?.holders.delete(executionId);
      if (l && l.holders.size === 0) this.locks.delete(k);
    }
    const admitted: AdmissionRequest[] = [];
    for (const w of [...this.waiting]) {
      const v = this.tryAdmit(w, false);
      if (v.kind === 'admit') {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        admitted.push(w);
      }
    }
    return admitted;
  }

  /** Forget a waiting request (canceled while it waited). */
  withdraw(executionId: string): void {
    const i = this.waiting.findIndex((w) => w.executionId === executionId);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  lockHolder(key: string): string | null {
    return this.locks.get(key)?.rootId ?? null;
  }
}
