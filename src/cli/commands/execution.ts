import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import type { ExecutionStatus } from '../../store/records.js';
import { TERMINAL_STATUSES } from '../../store/records.js';
import { EXIT, openStore, reportError, type DataOptions } from '../context.js';
import { colorStatus, printJson, table } from '../output.js';
import { executionView, printExecution } from './run.js';

export function registerExecution(program: Command): void {
  const ex = program.command('execution').description('executions: list, get (with the workflow task path), cancel, pause, resume');
  ex.command('list')
    .description('list executions, newest first')
    .option('--data-dir <dir>', 'data directory')
    .option('--status <status>', 'only this status (comma-separated list allowed)')
    .option('--action <ref>', 'only this action')
    .option('--all', 'include workflow tasks (child executions)')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: DataOptions & { status?: string; action?: string; all?: boolean; limit: string; json?: boolean }) => {
      const store = openStore(opts);
      try {
        const list = await store.listExecutions({
          ...(opts.status ? { status: opts.status.split(',') as ExecutionStatus[] } : {}),
          ...(opts.action ? { action: opts.action } : {}),
          ...(opts.all ? {} : { parentId: null }),
          limit: Number(opts.limit),
        });
        if (opts.json) printJson(list);
        else
          process.stdout.write(
            `${table(
              list.map((r) => ({ id: r.id, action: r.action, status: colorStatus(r.status), started: r.startedAt, ended: r.endedAt, rule: r.context.ruleRef ?? null })),
              ['id', 'action', 'status', 'started', 'ended', 'rule'],
            )}\n`,
          );
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  ex.command('get <id>')
    .description('show one execution: status, parameters, result and, for workflows, the tasks in the order they ran')
    .option('--data-dir <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: DataOptions & { json?: boolean }) => {
      const store = openStore(opts);
      try {
        const rec = await store.getExecution(id);
        if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${id}`);
        const view = await executionView(store, rec);
        if (opts.json) printJson(view);
        else printExecution(view);
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  for (const op of ['cancel', 'pause', 'resume'] as const) {
    ex.command(`${op} <id>`)
      .description(`${op} an execution in the running appliance (waits up to --wait seconds for it to take effect)`)
      .option('--data-dir <dir>', 'data directory')
      .option('--wait <seconds>', 'how long to wait for the appliance to apply it', '5')
      .action(async (id: string, opts: DataOptions & { wait: string }) => {
        const store = openStore(opts);
        try {
          const rec = await store.getExecution(id);
          if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${id}`);
          if (TERMINAL_STATUSES.has(rec.status)) throw new NrxError('NRX_ERR_INVALID_STATE', `execution ${id} is already ${rec.status}`);
          await store.commit([{ op: 'addControlRequest', executionId: id, op2: op }]);
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
            process.exitCode = EXIT.failed;
          }
        } catch (e) {
          process.exitCode = reportError(e);
        } finally {
          await store.close();
        }
      });
  }
}
