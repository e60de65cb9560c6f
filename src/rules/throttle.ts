import type { ThrottleSpec } from './extensions.js';

/**
 * Throttle counters: how often a rule acted for one key (a device, a device/peer pair)
 * within the sliding window. "Remediated 3 times in an hour: stop and escalate" is
 * `max: 3, per: 1h, then: <escalation action>`: the first event over the limit escalates
 * once; later ones in the window are only recorded as throttled.
 */

export type ThrottleVerdict = { kind: 'execute'; count: number } | { kind: 'escalate'; count: number } | { kind: 'throttled'; count: number };

interface Counter {
  rule: string;
  key: string;
  perMs: number;
  /** Times (ms) of the executions still inside the window, oldest first. */
  executions: number[];
  escalatedAt: number | null;
}

export interface ThrottleCounterSnapshot {
  rule: string;
  key: string;
  perMs: number;
  executions: number[];
  escalatedAt: number | null;
}

export class ThrottleBook {
  private readonly counters = new Map<string, Counter>();

  get size(): number {
    return this.counters.size;
  }

  /** Decide for one firing and record it. */
  decide(rule: string, key: string, spec: ThrottleSpec, now: number): ThrottleVerdict {
    const id = `${rule}\u0000${key}`;
    let c = this.counters.get(id);
    if (!c) this.counters.set(id, (c = { rule, key, perMs: spec.perMs, executions: [], escalatedAt: null }));
    c.perMs = spec.perMs;
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

  snapshot(): ThrottleCounterSnapshot[] {
    return [...this.counters.values()].map((c) => ({ rule: c.rule, key: c.key, perMs: c.perMs, executions: [...c.executions], escalatedAt: c.escalatedAt }));
  }

  restore(counters: readonly ThrottleCounterSnapshot[]): void {
    this.counters.clear();
    for (const c of counters) this.counters.set(`${c.rule}\u0000${c.key}`, { ...c, executions: [...c.executions] });
  }
}
