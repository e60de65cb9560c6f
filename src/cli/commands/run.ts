import type { Command } from 'commander';
import { Appliance } from '../../appliance.js';
import { createLogger, silentLogger } from '../../core/log.js';
import type { ExecutionRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { collect, configFrom, EXIT, reportError, type DataOptions } from '../context.js';
import { colorStatus, parseKeyValues, printJson, table } from '../output.js';

/** An execution as `run --json` and `execution get --json` print it. */
export async function executionView(store: Store, rec: ExecutionRecord): Promise<Record<string, unknown>> {
  const tasks = (await store.listTasks(rec.id)).sort((a, b) => a.seq - b.seq);
  return {
    id: rec.id,
    action: rec.action,
    runner: rec.runner,
    status: rec.status,
    parameters: rec.parameters,
    result: rec.result,
    error: rec.error,
    parent_id: rec.parentId,
    context: rec.context,
    created_at: rec.createdAt,
    started_at: rec.startedAt,
    ended_at: rec.endedAt,
    ...(tasks.length
      ? { tasks: tasks.map((t) => ({ name: t.taskName, key: t.taskKey, status: t.status, action: t.actionRef, execution_id: t.executionId, started_at: t.startedAt, ended_at: t.endedAt })) }
      : {}),
    log: rec.log,
  };
}

export function printExecution(view: Record<string, unknown>): void {
  const lines = [
    `id:         ${view.id}`,
    `action:     ${view.action}`,
    `status:     ${colorStatus(String(view.status))}`,
    `started:    ${view.started_at ?? '-'}`,
    `ended:      ${view.ended_at ?? '-'}`,
    `parameters: ${JSON.stringify(view.parameters)}`,
  ];
  if (view.error) lines.push(`error:      ${(view.error as { code: string }).code}: ${(view.error as { message: string }).message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const tasks = view.tasks as Array<Record<string, unknown>> | undefined;
  if (tasks?.length) {
    process.stdout.write(`\ntask path:\n${table(tasks.map((t) => ({ ...t, status: colorStatus(String(t.status)) })), ['key', 'status', 'action', 'execution_id'])}\n`);
  }
  process.stdout.write(`\nresult:\n${JSON.stringify(view.result, null, 2)}\n`);
}

export function registerRun(program: Command): void {
  program
    .command('run <ref> [params...]')
    .description('run an action or workflow in this process against the data directory, wait for it, exit 0 on success and 1 on failure')
    .option('--json', 'print the execution as JSON')
    .option('--data-dir <dir>', 'data directory (default: $NETREFLEX_DATA_DIR or ~/.netreflex)')
    .option('--packs-path <dir>', 'extra pack base path (repeatable)', collect)
    .addHelpText('after', '\nExamples:\n  netreflex run core.local cmd="uname -a"\n  netreflex run examples.orquesta-sequential name=ops --json\n')
    .action(async (ref: string, params: string[], opts: DataOptions & { json?: boolean }) => {
      let appliance: Appliance | null = null;
      try {
        const given = parseKeyValues(params);
        appliance = new Appliance({ config: configFrom(opts), log: process.env.NETREFLEX_LOG_LEVEL ? createLogger() : silentLogger });
        for (const e of appliance.content.errors) process.stderr.write(`warning: not loaded: ${e.code}: ${e.message}\n`);
        const rec = await appliance.engine.request(ref, given, { user: process.env.USER ?? 'cli' });
        const onSig = (): void => void appliance?.engine.cancel(rec.id).catch(() => {});
        process.once('SIGINT', onSig);
        const done = await appliance.engine.wait(rec.id);
        process.off('SIGINT', onSig);
        const view = await executionView(appliance.store, done);
        if (opts.json) printJson(view);
        else printExecution(view);
        process.exitCode = done.status === 'succeeded' ? EXIT.ok : EXIT.failed;
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await appliance?.stop().catch(() => {});
      }
    });
}
