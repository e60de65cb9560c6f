import { Counter, type Registry } from 'prom-client';
import { outcomeLabel } from '../executions/outcome.js';
import { TERMINAL_STATUSES } from '../store/records.js';
import type { ApiStream } from './stream.js';

/**
 * `netreflex_remediations_total{rule, outcome}`: executions a rule started, counted once when
 * they end, by what they did (repaired, escalated, left alone, nothing to do; other, unset, or
 * the failure status). A repair and an escalation both end succeeded; this tells them apart.
 * Returns the unsubscribe.
 */
export function countRemediations(stream: ApiStream, registry: Registry): () => void {
  const remediations = new Counter({
    name: 'netreflex_remediations_total',
    help: 'Executions started by rules, when they end, by rule and outcome (repaired, escalated, left alone, nothing to do, other, unset, failed, timeout, canceled, abandoned)',
    labelNames: ['rule', 'outcome'],
    registers: [registry],
  });
  // the engine may report a finished record more than once; count each execution once
  const counted = new Set<string>();
  return stream.subscribe((m) => {
    if (m.kind !== 'execution') return;
    const rec = m.execution;
    const rule = rec.context.ruleRef;
    if (!rule || rec.parentId !== null || !TERMINAL_STATUSES.has(rec.status) || counted.has(rec.id)) return;
    counted.add(rec.id);
    if (counted.size > 10_000) counted.delete(counted.values().next().value!);
    remediations.inc({ rule, outcome: outcomeLabel(rec) });
  });
}
