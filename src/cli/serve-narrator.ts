import type { ApiStream } from '../api/stream.js';
import type { Logger } from '../core/log.js';
import { TERMINAL_STATUSES, type ExecutionRecord } from '../store/records.js';
import { eventSummary } from './event-tail.js';

/**
 * What `netreflex serve` tells the person watching it: every event, every rule's decision on
 * it and every status change of the executions the rules or people start, one log record each
 * (readable lines on a terminal, JSON otherwise). Workflow tasks go to debug: the workflow's
 * own start and end say what happened. Returns the unsubscribe.
 */
export function narrate(stream: ApiStream, log: Logger): () => void {
  const lastStatus = new Map<string, string>();
  return stream.subscribe((m) => {
    if (m.kind === 'event') {
      const e = m.event;
      log.info({ event: e.id, type: e.type, device: e.device ?? undefined }, `event ${eventSummary(e)}`);
    } else if (m.kind === 'enforcement') {
      const d = m.enforcement;
      const then = d.executionId ? ` -> execution ${d.executionId} (${d.actionRef ?? '-'})` : '';
      log.info({ rule: d.ruleRef, event: d.triggerInstanceId, outcome: d.outcome }, `rule ${d.ruleRef}: ${d.outcome}${then}${d.reason ? `: ${d.reason}` : ''}`);
    } else executionChanged(m.execution, lastStatus, log);
  });
}

function executionChanged(x: ExecutionRecord, lastStatus: Map<string, string>, log: Logger): void {
  if (lastStatus.get(x.id) === x.status) return; // output lines and progress: no status change
  lastStatus.set(x.id, x.status);
  const fields = { execution: x.id, action: x.action, status: x.status, ...(x.context.ruleRef ? { rule: x.context.ruleRef } : {}) };
  const line = `execution ${x.id} ${x.action}${x.taskName ? ` (task ${x.taskName})` : ''}: ${x.status}${x.error ? ` ${x.error.code}: ${x.error.message}` : ''}`;
  if (x.parentId) log.debug(fields, line);
  else if (x.status === 'failed' || x.status === 'timeout') log.warn(fields, line);
  else log.info(fields, line);
  if (TERMINAL_STATUSES.has(x.status)) lastStatus.delete(x.id);
}
