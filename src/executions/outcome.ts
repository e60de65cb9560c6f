import type { ExecutionRecord } from '../store/records.js';

/**
 * What a remediation did, as its workflow says in its output (`outcome:`), apart from whether
 * it ran to the end: an escalation and a repair both end `succeeded`. Read from the result, so
 * every execution stored before outcomes existed still reads (as no outcome).
 */
export const OUTCOMES = ['repaired', 'escalated', 'left alone', 'nothing to do'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const MAX_LENGTH = 64;

/**
 * The outcome a workflow set: orquesta's `output.outcome`, or an action chain's published
 * `outcome`. Any short string is shown as written; null when none was set.
 */
export function outcomeOf(rec: Pick<ExecutionRecord, 'result'>): string | null {
  const output = (rec.result as { output?: { outcome?: unknown; published?: { outcome?: unknown } } } | null)?.output;
  const v = output?.outcome ?? output?.published?.outcome;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s && s.length <= MAX_LENGTH ? s : null;
}

/**
 * The outcome as a metrics label, from a bounded set: the four outcomes, `other` for any other
 * value a workflow set, `unset` for a succeeded run that set none, else the status it ended in
 * (failed, timeout, canceled, abandoned).
 */
export function outcomeLabel(rec: Pick<ExecutionRecord, 'result' | 'status'>): string {
  const o = outcomeOf(rec);
  if (o !== null) return (OUTCOMES as readonly string[]).includes(o) ? o : 'other';
  return rec.status === 'succeeded' ? 'unset' : rec.status;
}

/** A record with its outcome beside the status, for the API and `execution list|get`. */
export function withOutcome<T extends Pick<ExecutionRecord, 'result'>>(rec: T): T & { outcome: string | null } {
  return { ...rec, outcome: outcomeOf(rec) };
}
