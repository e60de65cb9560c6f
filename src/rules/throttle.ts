import type { ThrottleSpec } from './extensions.js';

/**
 * Throttle counters: how often a rule acted for one key (a device, a device/peer pair)
 * within the sliding window. "Remediated 3 times in an hour: stop and escalate" is
 * `max: 3, per: 1h, then: <escalation action>`: the first event over the limit escalates
 * once; later ones in the window are only recorded as throttled. These are one process's
 * counters; the rules nodes of a cluster count in the shared store (throttle_counters, decided the
 * same way: src/rules/shared-throttle.ts).
 */

export type ThrottleVerdict = { kind: 'execute'; count: number } | { kind: 'escalate'; count: number } | { kind: 'throttled'; count: number };

interface Counter {
  rule: string;
  key: string;
  perMs: number;
  /** Times (ms) of the executions still inside the window, oldest first. */
  executions: number[];
  escalatedAt: number | null;
  /** The device of the last event counted (the counter follows its event partition in a cluster). */
  device: string | null;
}

export interface ThrottleCounterSnapshot {
  rule: string;
  key: string;
  perMs: number;
  executions: number[];
  escalatedAt: number | null;
  device?: string | null;
}

export class ThrottleBook {
  private readonly counters = new Map<string, Counter>();

  get size(): number {
    return this.counters.size;
  }

  /** Decide for one firing and record it. */
  decide(rule: string, key: string, spec: ThrottleSpec, now: number, device: string | null = null): ThrottleVerdict {
    const id = `${rule}\u0000${key}`;
    let c = this.counters.get(id);
    if (!c) this.counters.set(id, (c = { rule, key, perMs: spec.perMs, executions: [], escalatedAt: null, device }));
    c.perMs = spec.perMs;
    c.device = device;
    const since = now - spec.perMs;
    while (c.executions.length > 0 && c.executions[0]! <= since) c.executions.shift();
    if (c.executions.length < spec.max) {
      c.executions.push(now);
      return { kind: 'execute', count: c.executions.length };
    }
    if (spec.then !== null && (c.escalatedAt === null || c.escalatedAt <= since)) {
      c.escalatedAt = now;
      return { kind: 'escalate', count: c.executions.length };
    }
    return { kind: 'throttled', count: c.executions.length };
  }

  /** Forget counters whose window has fully passed, so keys seen once do not pile up. */
  prune(now: number): void {
    for (const [id, c] of this.counters) {
      const since = now - c.perMs;
      const last = c.executions.length ? c.executions[c.executions.length - 1]! : -Infinity;
      if (last <= since && (c.escalatedAt === null || c.escalatedAt <= since)) this.counters.delete(id);
    }
  }

  /** The counters (those of the devices `only` accepts, when given). */
  snapshot(only?: (device: string | null) => boolean): ThrottleCounterSnapshot[] {
    return [...this.counters.values()]
      .filter((c) => !only || only(c.device))
      .map((c) => ({ rule: c.rule, key: c.key, perMs: c.perMs, executions: [...c.executions], escalatedAt: c.escalatedAt, device: c.device }));
  }

  restore(counters: readonly ThrottleCounterSnapshot[]): void {
    this.counters.clear();
    this.absorb(counters);
  }

  /** Add saved counters to those kept (a counter of the same rule and key is replaced). */
  absorb(counters: readonly ThrottleCounterSnapshot[]): void {
    for (const c of counters) this.counters.set(`${c.rule}\u0000${c.key}`, { ...c, executions: [...c.executions], device: c.device ?? null });
  }

  /** Drop the counters of the devices `only` accepts (their partition moved to another node). */
  forget(only: (device: string | null) => boolean): void {
    for (const [id, c] of this.counters) if (only(c.device)) this.counters.delete(id);
  }
}
