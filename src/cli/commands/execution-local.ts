import { NrxError } from '../../core/errors.js';
import { outcomeOf, withOutcome } from '../../executions/outcome.js';
import type { ExecutionStatus } from '../../store/records.js';
import { TERMINAL_STATUSES } from '../../store/records.js';
import { EXIT, type DataOptions } from '../context.js';
import { colorStatus, printJson, table } from '../output.js';
import { executionView, printExecution } from './run.js';
import { openExistingDataDir } from '../local-data.js';
import { resolveExecutionId } from '../execution-id.js';

/** `execution list|get|cancel|pause|resume` on a data directory, without the API. */

export async function listExecutionsLocal(
  opts: DataOptions & { status?: string; action?: string; all?: boolean; limit: string; json?: boolean },
): Promise<void> {
  const { store } = openExistingDataDir(opts);
  try {
    const list = await store.listExecutions({
      ...(opts.status ? { status: opts.status.split(',') as ExecutionStatus[] } : {}),
      ...(opts.action ? { action: opts.action } : {}),
      ...(opts.all ? {} : { parentId: null }),
      limit: Number(opts.limit),
    });
    if (opts.json) printJson(list.map(withOutcome));
    else printExecutionTable(list);
  } finally {
    await store.close();
  }
}

export function printExecutionTable(
  list: Array<{ id: string; action: string; status: string; result: unknown; startedAt: string | null; endedAt: string | null; context: { ruleRef?: string } }>,
): void {
  process.stdout.write(
    `${table(
      // outcome: what a workflow did (repaired, escalated...), where status says only that it ended
      list.map((r) => ({
        id: r.id,
        action: r.action,
        status: colorStatus(r.status),
        outcome: outcomeOf(r),
        started: r.startedAt,
        ended: r.endedAt,
        rule: r.context.ruleRef ?? null,
      })),
      ['id', 'action', 'status', 'outcome', 'started', 'ended', 'rule'],
    )}\n`,
  );
}

export async function getExecutionLocal(id: string, opts: DataOptions & { json?: boolean }): Promise<void> {
  const { store } = openExistingDataDir(opts);
  try {
    id = await resolveExecutionId(id, (before, limit) => store.listExecutions({ before, limit }));
    const rec = await store.getExecution(id);
    if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${id}`);
    const view = await executionView(store, rec);
    if (opts.json) printJson(view);
    else printExecution(view);
  } finally {
    await store.close();
  }
}

/** A control request goes through the data directory's inbox; the running appliance applies it. */
export async function controlExecutionLocal(op: 'cancel' | 'pause' | 'resume', id: string, opts: DataOptions & { wait: string }): Promise<number> {
  const { store } = openExistingDataDir(opts);
  try {
    id = await resolveExecutionId(id, (before, limit) => store.listExecutions({ before, limit }));
    const rec = await store.getExecution(id);
    if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${id}`);
    if (TERMINAL_STATUSES.has(rec.status)) throw new NrxError('NRX_ERR_INVALID_STATE', `execution ${id} is already ${rec.status}`);
    await store.commit([{ op: 'addControlRequest', executionId: id, control: op }]);
    const want: Record<typeof op, ExecutionStatus[]> = {
      cancel: ['canceling', 'canceled'],
      pause: ['pausing', 'paused'],
      resume: ['running', 'succeeded', 'failed'],
    };
    const deadline = Date.now() + Number(opts.wait) * 1000;
    let now = rec;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = (await store.getExecution(id)) ?? now;
      const pending = (await store.listControlRequests()).some((r) => r.executionId === id);
      if (!pending && (want[op].includes(now.status) || TERMINAL_STATUSES.has(now.status))) break;
    }
    process.stdout.write(`execution ${id}: ${colorStatus(now.status)}\n`);
    const applied = want[op].includes(now.status) || TERMINAL_STATUSES.has(now.status);
    if (!applied) {
      process.stderr.write(`the ${op} request is queued; is the appliance running on this data directory? (netreflex serve)\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
