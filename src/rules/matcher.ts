import type { NrxError } from '../core/errors.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { CompiledCriterion, CriteriaFailure } from '../criteria/criteria.js';
import { lookupPath, type PathSegment } from '../criteria/values.js';
import type { Rule } from './rule.js';

/**
 * Which rules does an event trigger? Rules are indexed by trigger type and, within a type,
 * by one equality criterion (`trigger.device equals core1`, `trigger.state in [idle,
 * active]`), so an event only evaluates the rules whose indexed value it carries plus the
 * rules that have nothing to index. Ten thousand per-device rules cost a few map lookups.
 */

export interface RuleCriteriaError {
  rule: Rule;
  error: NrxError;
  failures: CriteriaFailure[];
}

export interface RuleMatch {
  matched: Rule[];
  /** Candidate rules whose criteria raised an operator or template error (not matched). */
  errors: RuleCriteriaError[];
  /** How many rules were candidates, and how many criteria were evaluated for this event. */
  candidates: number;
  criteriaEvaluated: number;
}

/** The rule context for criteria and action parameters. */
export function ruleContext(event: EventEnvelope): Record<string, unknown> {
  return { trigger: event.payload, event };
}

interface IndexedRule {
  rule: Rule;
  seq: number;
  /** Where the rule sits in the index, to take it out again. */
  slot: { path: string; keys: string[] } | null;
}

interface TypeIndex {
  /** path (JSON of segments) -> index key of the value -> rules. */
  byPath: Map<string, { path: readonly PathSegment[]; byValue: Map<string, Set<IndexedRule>> }>;
  unindexed: Set<IndexedRule>;
}

/** Index keys for an equality pattern; an exact string and a case-folded one never collide. */
function patternKeys(c: CompiledCriterion): string[] | null {
  if (c.templated) return null;
  const p = c.pattern;
  switch (c.operator.name) {
    case 'equals':
      return scalarKey(p) === null ? null : [scalarKey(p)!];
    case 'iequals':
      return typeof p === 'string' ? [`i:${p.toLowerCase()}`] : null;
    case 'inside': {
      if (!Array.isArray(p)) return null;
      const keys = p.map(scalarKey);
      return keys.every((k) => k !== null) ? [...new Set(keys as string[])] : null;
    }
    default:
      return null;
  }
}

/** Python equality makes true == 1, so numbers and booleans share one key space. */
function scalarKey(v: unknown): string | null {
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `n:${Number(v)}`;
  return null;
}

function valueKeys(v: unknown): string[] {
  if (typeof v === 'string') return [`s:${v}`, `i:${v.toLowerCase()}`];
  const k = scalarKey(v);
  return k === null ? [] : [k];
}

export class RuleIndex {
  private readonly rules = new Map<string, IndexedRule>();
  private readonly types = new Map<string, TypeIndex>();
  private seq = 0;

  get size(): number {
    return this.rules.size;
  }

  get(ref: string): Rule | undefined {
    return this.rules.get(ref)?.rule;
  }

  all(): Rule[] {
    return [...this.rules.values()].map((r) => r.rule);
  }

  /** Add or replace (by ref) a rule. Disabled rules are kept but never indexed. */
  add(rule: Rule): void {
    this.remove(rule.ref);
    const entry: IndexedRule = { rule, seq: this.seq++, slot: null };
    this.rules.set(rule.ref, entry);
    if (!rule.enabled) return;
    let t = this.types.get(rule.trigger.type);
    if (!t) {
      t = { byPath: new Map(), unindexed: new Set() };
      this.types.set(rule.trigger.type, t);
    }
    const choice = this.chooseIndexCriterion(t, rule);
    if (!choice) {
      t.unindexed.add(entry);
      return;
    }
    let bucket = t.byPath.get(choice.path);
    if (!bucket) {
      bucket = { path: choice.segments, byValue: new Map() };
      t.byPath.set(choice.path, bucket);
    }
    for (const k of choice.keys) {
      let set = bucket.byValue.get(k);
      if (!set) bucket.byValue.set(k, (set = new Set()));
      set.add(entry);
    }
    entry.slot = { path: choice.path, keys: choice.keys };
  }

  remove(ref: string): boolean {
    const entry = this.rules.get(ref);
    if (!entry) return false;
    this.rules.delete(ref);
    const t = this.types.get(entry.rule.trigger.type);
    if (!t) return true;
    if (entry.slot) {
      const bucket = t.byPath.get(entry.slot.path)!;
      for (const k of entry.slot.keys) {
        const set = bucket.byValue.get(k);
        set?.delete(entry);
        if (set && set.size === 0) bucket.byValue.delete(k);
      }
      if (bucket.byValue.size === 0) t.byPath.delete(entry.slot.path);
    } else t.unindexed.delete(entry);
    if (t.byPath.size === 0 && t.unindexed.size === 0) this.types.delete(entry.rule.trigger.type);
    return true;
  }

  /** Prefer a path other rules of the type are already indexed by: fewer lookups per event. */
  private chooseIndexCriterion(t: TypeIndex, rule: Rule): { path: string; segments: readonly PathSegment[]; keys: string[] } | null {
    let first: { path: string; segments: readonly PathSegment[]; keys: string[] } | null = null;
    for (const c of rule.compiledCriteria.criteria) {
      const keys = patternKeys(c);
      if (!keys || keys.length === 0) continue;
      const path = JSON.stringify(c.path);
      if (t.byPath.has(path)) return { path, segments: c.path, keys };
      first ??= { path, segments: c.path, keys };
    }
    return first;
  }

  /** The rules whose trigger type and criteria match the event, in the order they were added. */
  /** `names`: what templated criteria patterns may use besides the event (the datastore's `st2kv`). */
  match(event: EventEnvelope, opts: { now?: number; names?: Readonly<Record<string, unknown>> } = {}): RuleMatch {
    const result: RuleMatch = { matched: [], errors: [], candidates: 0, criteriaEvaluated: 0 };
    const t = this.types.get(event.type);
    if (!t) return result;
    const context = ruleContext(event);
    const candidates = new Set<IndexedRule>(t.unindexed);
    for (const bucket of t.byPath.values()) {
      for (const k of valueKeys(lookupPath(context, bucket.path))) {
        const set = bucket.byValue.get(k);
        if (set) for (const e of set) candidates.add(e);
      }
    }
    const ordered = [...candidates].sort((a, b) => a.seq - b.seq);
    result.candidates = ordered.length;
    const now = opts.now ?? Date.now();
    for (const { rule } of ordered) {
      const r = rule.compiledCriteria.test(context, { now, ...(opts.names ? { names: opts.names } : {}) });
      result.criteriaEvaluated += r.evaluated;
      if (r.matched) result.matched.push(rule);
      else if (r.error) result.errors.push({ rule, error: r.error, failures: r.failures });
    }
    // StackStorm's backstop rules fire only when no standard rule took the event.
    if (result.matched.some((r) => r.ruleType === 'standard')) result.matched = result.matched.filter((r) => r.ruleType === 'standard');
    return result;
  }
}
