import { parseDuration } from '../core/duration.js';
import { NrxError, isNrxError } from '../core/errors.js';
import { renderString, renderValue } from '../core/template.js';
import { reportSwallowed } from '../core/swallowed-errors.js';
import type { EventEnvelope } from '../events/envelope.js';
import { isPlainObject } from '../criteria/values.js';
import { isInMaintenance, type MaintenanceWindow } from './maintenance.js';
import { ruleContext, type RuleIndex } from './matcher.js';
import type { Rule } from './rule.js';
import { ThrottleBook, type ThrottleCounterSnapshot, type ThrottleVerdict } from './throttle.js';

/**
 * What each matching rule does with an event: execute, escalate, wait out a hold-down,
 * or stand down (throttled, cleared, in maintenance). Pure decisions with the clock passed
 * in; the engine records them and starts the executions. State (throttle counters,
 * pending holds) snapshots to JSON so a restart neither forgets a hold nor resets a limit.
 */

export type DecisionOutcome = 'execute' | 'escalate' | 'throttled' | 'held' | 'cleared' | 'maintenance' | 'failed';

export interface Decision {
  rule: Rule;
  /** The event the decision is about (for a cleared or released hold: the held event). */
  event: EventEnvelope;
  outcome: DecisionOutcome;
  actionRef: string | null;
  parameters: Record<string, unknown> | null;
  reason: string | null;
  /** For 'held': when the hold fires unless cleared (ms since the epoch). */
  releaseAt?: number;
  /**
   * A firing of a throttled rule whose counter is shared with other nodes (EnforcerOptions
   * sharedThrottles): 'execute' until the shared counter says otherwise (settleSharedThrottles).
   */
  throttle?: { key: string; at: number };
}

export interface EnforcerOptions {
  index: RuleIndex;
  maintenance?: () => readonly MaintenanceWindow[];
  /** Inventory groups of a device, for group-scoped maintenance windows. */
  groupsOf?: (device: string) => readonly string[];
  /**
   * Names rule templates may use besides the event (the datastore's `st2kv`), below the event's:
   * parameters, throttle and hold-down keys, templated criteria patterns.
   */
  names?: Readonly<Record<string, unknown>>;
  /**
   * Throttles are counted elsewhere, across the rules nodes sharing a store: a throttled rule's
   * firing is decided 'execute' with `throttle` set, for the caller to settle against the shared
   * counter (default false: counted here, in the enforcer's own ThrottleBook).
   */
  sharedThrottles?: boolean;
}

interface PendingHold {
  rule: string;
  key: string;
  event: EventEnvelope;
  heldAt: number;
  releaseAt: number;
}

interface EnforcerSnapshot {
  version: 1;
  holds: PendingHold[];
  throttles: ThrottleCounterSnapshot[];
}

function keyText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function decision(rule: Rule, event: EventEnvelope, outcome: DecisionOutcome, extra: Partial<Decision> = {}): Decision {
  return { rule, event, outcome, actionRef: rule.action.ref, parameters: null, reason: null, ...extra };
}

export class RuleEnforcer {
  private readonly index: RuleIndex;
  private readonly maintenance: () => readonly MaintenanceWindow[];
  private readonly groupsOf: (device: string) => readonly string[];
  private readonly names: Readonly<Record<string, unknown>>;
  private readonly holds = new Map<string, PendingHold>();
  /** No hold is due before this (a lower bound: holds removed since may have been earlier). */
  private earliestRelease = Infinity;
  /** When expired throttle counters were last dropped. */
  private prunedAt = -Infinity;
  private readonly throttles = new ThrottleBook();
  private readonly sharedThrottles: boolean;

  constructor(opts: EnforcerOptions) {
    this.sharedThrottles = opts.sharedThrottles ?? false;
    this.index = opts.index;
    this.maintenance = opts.maintenance ?? (() => []);
    this.groupsOf = opts.groupsOf ?? (() => []);
    this.names = opts.names ?? {};
  }

  /**
   * Decide for one event. Hold-downs already due are released first, so a late event can
   * never clear a hold whose time had passed.
   */
  onEvent(event: EventEnvelope, now: number): Decision[] {
    const out = this.tick(now);
    out.push(...this.clearHolds(event, now));
    const m = this.index.match(event, { now, names: this.names });
    for (const { rule, error } of m.errors) out.push(decision(rule, event, 'failed', { reason: `criteria could not be evaluated: ${error.message}` }));
    for (const rule of m.matched) out.push(this.enforce(rule, event, now));
    return out;
  }

  /** Release the hold-downs that ran out without a clearing event. */
  tick(now: number): Decision[] {
    // every event ticks: the scans below run only when something can be due (a storm with
    // thousands of holds and throttle keys must not walk them per event)
    if (now - this.prunedAt >= 1_000) {
      this.prunedAt = now;
      this.throttles.prune(now);
    }
    if (this.holds.size === 0 || now < this.earliestRelease) return [];
    const due = [...this.holds.entries()].filter(([, h]) => h.releaseAt <= now).sort((a, b) => a[1].releaseAt - b[1].releaseAt);
    const out: Decision[] = [];
    for (const [id, hold] of due) {
      this.holds.delete(id);
      const rule = this.index.get(hold.rule);
      if (!rule || !rule.enabled) continue; // the rule was removed or disabled meanwhile
      out.push(this.maintenanceDecision(rule, hold.event, now) ?? this.fire(rule, hold.event, now));
    }
    this.earliestRelease = this.nextDeadline() ?? Infinity;
    return out;
  }

  /** The earliest hold-down release, for the engine's timer; null when nothing is held. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const h of this.holds.values()) if (next === null || h.releaseAt < next) next = h.releaseAt;
    return next;
  }

  get pendingHolds(): number {
    return this.holds.size;
  }

  /** The state as JSON; with `only`, the holds and counters of the devices it accepts (one partition's). */
  snapshot(only?: (device: string | null) => boolean): unknown {
    const holds = [...this.holds.values()].filter((h) => !only || only(h.event.device ?? null)).map((h) => ({ ...h }));
    const snap: EnforcerSnapshot = { version: 1, holds, throttles: this.throttles.snapshot(only) };
    return JSON.parse(JSON.stringify(snap));
  }

  /** Replace the state with a snapshot. */
  restore(snapshot: unknown): void {
    const { holds, throttles } = checkSnapshot(snapshot);
    this.holds.clear();
    this.throttles.restore([]);
    this.absorbChecked(holds, throttles);
  }

  /** Add a snapshot's holds and counters to the state (a partition this node takes over). */
  absorb(snapshot: unknown): void {
    const { holds, throttles } = checkSnapshot(snapshot);
    this.absorbChecked(holds, throttles);
  }

  /** Drop the holds and counters of the devices `only` accepts (a partition this node gave away). */
  forget(only: (device: string | null) => boolean): void {
    for (const [id, h] of this.holds) if (only(h.event.device ?? null)) this.holds.delete(id);
    this.throttles.forget(only);
    this.earliestRelease = this.nextDeadline() ?? Infinity;
  }

  private absorbChecked(holds: PendingHold[], throttles: ThrottleCounterSnapshot[]): void {
    for (const h of holds) this.holds.set(`${h.rule}\u0000${h.key}`, { ...h });
    this.earliestRelease = this.nextDeadline() ?? Infinity;
    this.throttles.absorb(throttles);
  }

  private enforce(rule: Rule, event: EventEnvelope, now: number): Decision {
    const inMaintenance = this.maintenanceDecision(rule, event, now);
    if (inMaintenance) return inMaintenance;
    if (!rule.holdDown) return this.fire(rule, event, now);
    let key: string;
    try {
      key = this.holdKey(rule, event);
    } catch (e) {
      return decision(rule, event, 'failed', { reason: `hold_down key: ${errorText(e)}` });
    }
    const id = `${rule.ref}\u0000${key}`;
    const existing = this.holds.get(id);
    if (existing) {
      return decision(rule, event, 'held', { reason: `already held for key '${key}' by event ${existing.event.id}`, releaseAt: existing.releaseAt });
    }
    let hold: { ms: number; text: string };
    try {
      hold = this.holdFor(rule, event);
    } catch (e) {
      return decision(rule, event, 'failed', { reason: `hold_down for: ${errorText(e)}` });
    }
    if (hold.ms === 0) return this.fire(rule, event, now);
    const releaseAt = now + hold.ms;
    this.holds.set(id, { rule: rule.ref, key, event, heldAt: now, releaseAt });
    if (releaseAt < this.earliestRelease) this.earliestRelease = releaseAt;
    return decision(rule, event, 'held', { reason: `hold_down ${hold.text} for key '${key}'`, releaseAt });
  }

  /** How long this fault is held: the rule's duration, or its `for` template rendered now (0 = not held). */
  private holdFor(rule: Rule, event: EventEnvelope): { ms: number; text: string } {
    const spec = rule.holdDown!;
    if (!spec.forTemplate) return { ms: spec.forMs, text: spec.for };
    const text = String(renderString(spec.forTemplate, { ...this.names, ...ruleContext(event) }, { file: rule.file, field: 'hold_down.for' }) ?? '').trim();
    return { ms: parseDuration(text, { file: rule.file, field: 'hold_down.for' }), text };
  }

  /** A held fault is cleared by a later event of the same type and key that says it is over. */
  private clearHolds(event: EventEnvelope, now: number): Decision[] {
    const out: Decision[] = [];
    for (const [id, hold] of this.holds) {
      if (hold.event.type !== event.type || hold.event.id === event.id) continue;
      const rule = this.index.get(hold.rule);
      if (!rule?.holdDown) {
        this.holds.delete(id);
        continue;
      }
      let key: string;
      try {
        key = this.holdKey(rule, event);
      } catch (error) {
        // this event cannot clear the hold (the hold stays and fires on time); say so
        reportSwallowed({
          where: 'hold_down_key',
          error,
          msg: 'hold_down key did not render for a possible clearing event; the hold stays',
          fields: { rule: rule.ref, event: event.id },
        });
        continue;
      }
      if (key !== hold.key) continue;
      const context = ruleContext(event);
      if (!this.clears(rule, context, now)) continue;
      this.holds.delete(id);
      out.push(decision(rule, hold.event, 'cleared', { reason: `cleared by event ${event.id} within hold_down ${rule.holdDown.for} (key '${key}')` }));
    }
    return out;
  }

  /** With explicit `clear` criteria they decide; otherwise an event the rule's criteria reject (an error is not a "no"). */
  private clears(rule: Rule, context: Record<string, unknown>, now: number): boolean {
    if (rule.holdDown?.clear) return rule.holdDown.clear.test(context, { now, names: this.names }).matched;
    const r = rule.compiledCriteria.test(context, { now, names: this.names });
    return !r.matched && r.error === undefined;
  }

  private fire(rule: Rule, event: EventEnvelope, now: number): Decision {
    const context = { ...this.names, ...ruleContext(event) };
    let parameters: Record<string, unknown>;
    try {
      parameters = renderValue(rule.action.parameters, context, { file: rule.file, field: 'action.parameters' }) as Record<string, unknown>;
    } catch (e) {
      return decision(rule, event, 'failed', { reason: `action parameters: ${errorText(e)}` });
    }
    if (!rule.throttle) return decision(rule, event, 'execute', { parameters });
    let key: string;
    try {
      key = rule.throttle.key === null ? rule.ref : keyText(renderString(rule.throttle.key, context, { file: rule.file, field: 'throttle.key' }));
    } catch (e) {
      return decision(rule, event, 'failed', { reason: `throttle key: ${errorText(e)}` });
    }
    if (this.sharedThrottles) return decision(rule, event, 'execute', { parameters, throttle: { key, at: now } });
    return throttleOutcome(rule, event, parameters, key, this.throttles.decide(rule.ref, key, rule.throttle, now, event.device ?? null));
  }

  private holdKey(rule: Rule, event: EventEnvelope): string {
    const template = rule.holdDown?.key ?? rule.throttle?.key ?? '{{ event.device }}';
    return keyText(
      renderString(template, { ...this.names, ...ruleContext(event) }, { file: rule.file, field: rule.holdDown?.key ? 'hold_down.key' : 'throttle.key' }),
    );
  }

  private maintenanceDecision(rule: Rule, event: EventEnvelope, now: number): Decision | null {
    if (rule.maintenance === 'ignore') return null;
    const windows = this.maintenance();
    if (windows.length === 0) return null;
    const device = event.device ?? (typeof event.payload.device === 'string' ? event.payload.device : null);
    const window = isInMaintenance(windows, device, device !== null ? this.groupsOf(device) : [], now);
    if (!window) return null;
    return decision(rule, event, 'maintenance', { reason: `${device !== null ? `device ${device}` : 'event'} is in maintenance window '${window.name}'` });
  }
}

/** A throttled rule's firing as its throttle's verdict makes it: executed, escalated, or throttled. */
export function throttleOutcome(rule: Rule, event: EventEnvelope, parameters: Record<string, unknown>, key: string, verdict: ThrottleVerdict): Decision {
  const spec = rule.throttle!;
  if (verdict.kind === 'execute') return decision(rule, event, 'execute', { parameters });
  const limit = `${verdict.count} executions for key '${key}' within ${spec.per} (max ${spec.max})`;
  if (verdict.kind === 'escalate') {
    return decision(rule, event, 'escalate', {
      actionRef: spec.then,
      parameters: { ...parameters, escalation: { rule: rule.ref, key, count: verdict.count, window: spec.per } },
      reason: `limit reached: ${limit}; escalating`,
    });
  }
  return decision(rule, event, 'throttled', { reason: `throttled: ${limit}` });
}

function checkSnapshot(snapshot: unknown): { holds: PendingHold[]; throttles: ThrottleCounterSnapshot[] } {
  if (!isPlainObject(snapshot) || snapshot.version !== 1 || !Array.isArray(snapshot.holds) || !Array.isArray(snapshot.throttles)) {
    throw new NrxError('NRX_ERR_STORE', 'rule enforcer snapshot is not a version 1 snapshot {version, holds, throttles}');
  }
  const holds = snapshot.holds as PendingHold[];
  const throttles = snapshot.throttles as ThrottleCounterSnapshot[];
  for (const h of holds) {
    if (!isPlainObject(h) || typeof h.rule !== 'string' || typeof h.key !== 'string' || typeof h.releaseAt !== 'number' || !isPlainObject(h.event)) {
      throw new NrxError('NRX_ERR_STORE', 'rule enforcer snapshot holds a malformed hold-down entry');
    }
  }
  for (const t of throttles) {
    if (!isPlainObject(t) || typeof t.rule !== 'string' || typeof t.key !== 'string' || typeof t.perMs !== 'number' || !Array.isArray(t.executions)) {
      throw new NrxError('NRX_ERR_STORE', 'rule enforcer snapshot holds a malformed throttle entry');
    }
  }
  return { holds, throttles };
}

function errorText(e: unknown): string {
  return isNrxError(e) || e instanceof Error ? e.message : String(e);
}
