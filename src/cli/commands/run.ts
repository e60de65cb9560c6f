import type { Command } from 'commander';
import { Appliance } from '../../appliance.js';
import { createLogger, silentLogger } from '../../core/log.js';
import type { ExecutionRecord, TaskRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { collect, configFrom, EXIT, type DataOptions } from '../context.js';
import { withExamples } from '../help.js';
import { clientFor, globalsOf, guarded, runsInProcess } from '../remote.js';
import { followExecution } from '../tail.js';
import { colorStatus, parseKeyValues, printJson, table } from '../output.js';
import { outcomeOf } from '../../executions/outcome.js';
import { noteNewDataDir } from '../data-dir-notice.js';
import { finishedOrAsking, type PendingInquiry } from '../inquiry-wait.js';

/** An execution as `run --json` and `execution get --json` print it, from the store or the API. */
export function executionViewOf(rec: ExecutionRecord, taskList: TaskRecord[] = []): Record<string, unknown> {
  const tasks = [...taskList].sort((a, b) => a.seq - b.seq);
  return {
    id: rec.id,
    action: rec.action,
    runner: rec.runner,
    status: rec.status,
    // what the workflow did (repaired, escalated...): both end succeeded
    outcome: outcomeOf(rec),
    parameters: rec.parameters,
    result: rec.result,
    error: rec.error,
    parent_id: rec.parentId,
    context: rec.context,
    created_at: rec.createdAt,
    started_at: rec.startedAt,
    ended_at: rec.endedAt,
    ...(tasks.length
      ? {
          tasks: tasks.map((t) => ({
            name: t.taskName,
            key: t.taskKey,
            status: t.status,
            action: t.actionRef,
            execution_id: t.executionId,
            started_at: t.startedAt,
            ended_at: t.endedAt,
          })),
        }
      : {}),
    log: rec.log,
  };
}

export async function executionView(store: Store, rec: ExecutionRecord): Promise<Record<string, unknown>> {
  return executionViewOf(rec, await store.listTasks(rec.id));
}

export function printExecution(view: Record<string, unknown>): void {
  const lines = [
    `id:         ${view.id}`,
    `action:     ${view.action}`,
    `status:     ${colorStatus(String(view.status))}`,
    ...(view.outcome ? [`outcome:    ${view.outcome}`] : []),
    `started:    ${view.started_at ?? '-'}`,
    `ended:      ${view.ended_at ?? '-'}`,
    `parameters: ${JSON.stringify(view.parameters)}`,
  ];
  if (view.error) lines.push(`error:      ${(view.error as { code: string }).code}: ${(view.error as { message: string }).message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const tasks = view.tasks as Array<Record<string, unknown>> | undefined;
  if (tasks?.length) {
    process.stdout.write(
      `\ntask path:\n${table(
        tasks.map((t) => ({ ...t, status: colorStatus(String(t.status)) })),
        ['key', 'status', 'action', 'execution_id'],
      )}\n`,
    );
  }
  process.stdout.write(`\nresult:\n${JSON.stringify(view.result, null, 2)}\n`);
}

export function registerRun(program: Command): void {
  withExamples(
    program
      .command('run <ref> [params...]')
      .description(
        'run an action or workflow, wait for it, exit 0 on success and 1 on failure; in this process on the data directory, or in the appliance with --remote (the default when a URL is configured)',
      )
      .option('--json', 'print the execution as JSON')
      .option('--remote', 'run it in the running appliance through the API and follow its output')
      .option('--no-wait', 'with --remote: print the execution id and return at once')
      .option('--data-dir <dir>', 'data directory (default: $NETREFLEX_DATA_DIR or ~/.netreflex)')
      .option('--packs-path <dir>', 'extra pack base path (repeatable)', collect),
    'netreflex run core.local cmd="uname -a"',
    'netreflex run core.local cmd="date -u" --json',
    'netreflex run core.echo message="hello from ops" --remote',
    'id=$(netreflex run core.local cmd="sleep 1; echo done" --remote --no-wait) && netreflex execution tail "$id"',
  ).action((ref: string, params: string[], opts: DataOptions & { json?: boolean; wait: boolean }, cmd: Command) =>
    guarded(() => (runsInProcess(globalsOf(cmd)) ? runInProcess(ref, params, opts) : runRemote(cmd, ref, params, opts))),
  );
}

async function runRemote(cmd: Command, ref: string, params: string[], opts: { json?: boolean; wait: boolean }): Promise<number> {
  const client = clientFor(cmd);
  const rec = await client.runAction(ref, parseKeyValues(params));
  if (!opts.wait) {
    if (opts.json) printJson(rec);
    else process.stdout.write(`${rec.id}\n`);
    return EXIT.ok;
  }
  if (!opts.json) process.stderr.write(`execution ${rec.id} (${rec.action}) started\n`);
  const final = await followExecution(client, rec.id, { quiet: Boolean(opts.json) });
  if (!final) return EXIT.failed;
  const full = await client.getExecution(rec.id);
  const view = executionViewOf(full, full.tasks ?? []);
  if (opts.json) printJson(view);
  else if (view.tasks) printExecution(view);
  return final.status === 'succeeded' ? EXIT.ok : EXIT.failed;
}

/** The run waits for a human (core.ask): say which inquiry and how to answer it; exit 5. */
function reportAsking(view: Record<string, unknown>, asking: PendingInquiry[], dataDir: string, json: boolean): number {
  const serve = `netreflex serve --data-dir ${shellWord(dataDir)}`;
  if (json) {
    printJson({ ...view, waiting_for: 'inquiry', inquiries: asking, serve });
    return EXIT.pending;
  }
  printExecution(view);
  const lines = ['', 'waiting for an answer (core.ask):'];
  for (const q of asking)
    lines.push(`  inquiry ${q.id}  task ${q.task ?? '-'}  ${colorStatus(q.status)}  fields: ${Object.keys(q.schema ?? {}).join(', ') || '-'}`);
  lines.push(
    'the workflow goes on once someone answers; the inquiry keeps waiting in this data directory. Answer with the appliance running on it:',
    `  ${serve}        # in another terminal (it resumes the workflow)`,
    ...asking.map((q) => `  ${q.respond}`),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.pending;
}

function shellWord(s: string): string {
  return /^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function runInProcess(ref: string, params: string[], opts: DataOptions & { json?: boolean }): Promise<number> {
  let appliance: Appliance | null = null;
  try {
    const given = parseKeyValues(params);
    noteNewDataDir(configFrom(opts).dataDir, `to record the execution of ${ref} run in this process; --remote runs it in the appliance`);
    appliance = new Appliance({ config: configFrom(opts), log: process.env.NETREFLEX_LOG_LEVEL ? createLogger() : silentLogger });
    for (const e of appliance.content.errors) process.stderr.write(`warning: not loaded: ${e.code}: ${e.message}\n`);
    // the data directory's owner runs it: the same trust as an admin, commands included
    const rec = await appliance.engine.request(ref, given, { user: process.env.USER ?? 'cli', shellGranted: true });
    const onSig = (): void => void appliance?.engine.cancel(rec.id).catch(() => {});
    process.once('SIGINT', onSig);
    const outcome = await finishedOrAsking(appliance.engine.wait(rec.id), appliance.store, rec.id);
    process.off('SIGINT', onSig);
    const now = 'done' in outcome ? outcome.done : ((await appliance.store.getExecution(rec.id)) ?? rec);
    const view = await executionView(appliance.store, now);
    if ('asking' in outcome) return reportAsking(view, outcome.asking, configFrom(opts).dataDir, Boolean(opts.json));
    if (opts.json) printJson(view);
    else printExecution(view);
    return outcome.done.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    await appliance?.stop().catch(() => {});
  }
}
