import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { EXIT } from '../context.js';
import { withExamples } from '../help.js';
import { colorStatus, parseKeyValues, printJson } from '../output.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';
import { followNext, type NextOptions } from '../follow-next.js';
import { followExecution } from '../tail.js';
import { controlExecutionLocal, getExecutionLocal, listExecutionsLocal, printExecutionTable } from './execution-local.js';
import { executionViewOf, printExecution } from './run.js';

const exitFor = (status: string | undefined): number => (status === 'succeeded' ? EXIT.ok : EXIT.failed);

export function registerExecution(program: Command): void {
  const ex = program.command('execution').alias('ex').description('executions: list, get (with the workflow task path), tail, cancel, pause, resume, rerun');

  withExamples(
    ex
      .command('list')
      .description('list executions, newest first')
      .option('--data-dir <dir>', 'read this data directory instead of the API')
      .option('--status <status>', 'only this status (comma-separated list allowed)')
      .option('--action <ref>', 'only this action')
      .option('--rule <ref>', 'only executions this rule started (API)')
      .option('--all', 'include workflow tasks (child executions)')
      .option('--limit <n>', 'how many', '50')
      .option('--before <id>', 'the page after this execution id (API)')
      .option('--json', 'print JSON'),
    'netreflex execution list --status failed,timeout',
    'netreflex execution list --rule remediation.bgp_peer_down --json',
  ).action(
    (
      opts: { dataDir?: string; status?: string; action?: string; rule?: string; all?: boolean; limit: string; before?: string; json?: boolean },
      cmd: Command,
    ) =>
      guarded(async () => {
        if (useDataDir(globalsOf(cmd))) return listExecutionsLocal(opts);
        const page = await clientFor(cmd).listExecutions({
          ...(opts.status ? { status: opts.status } : {}),
          ...(opts.action ? { action: opts.action } : {}),
          ...(opts.rule ? { rule: opts.rule } : {}),
          ...(opts.all || opts.rule ? {} : { parent: 'none' }),
          limit: Number(opts.limit),
          ...(opts.before ? { before: opts.before } : {}),
        });
        if (opts.json) printJson(page.items);
        else {
          printExecutionTable(page.items);
          if (page.next) process.stderr.write(`more: netreflex execution list --before ${page.next}\n`);
        }
      }),
  );

  withExamples(
    ex
      .command('get <id>')
      .description('show one execution: status, parameters, result and, for workflows, the tasks in the order they ran')
      .option('--data-dir <dir>', 'read this data directory instead of the API')
      .option('--json', 'print JSON'),
    'netreflex execution get 01J9Z6K3W4M2C8Q5R7T9V1X3Y5',
  ).action((id: string, opts: { dataDir?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      if (useDataDir(globalsOf(cmd))) return getExecutionLocal(id, opts);
      const rec = await clientFor(cmd).getExecution(id);
      const view = executionViewOf(rec, rec.tasks ?? []);
      if (opts.json) printJson(view);
      else printExecution(view);
    }),
  );

  withExamples(
    ex
      .command('tail [id]')
      .description(
        "follow an execution's output live until it ends, a workflow's tasks and their output too (from the start when attached late); exit 0 if it succeeded, 1 otherwise (Ctrl-C stops following, not the execution). ID may be a unique prefix",
      )
      .option('--rule <ref>', 'no id: wait for the next execution this rule starts and follow it')
      .option('--device <name>', 'no id: wait for the next execution on this device (named in its parameters or by its event) and follow it')
      .option('--keep', 'with --rule/--device: follow every matching execution until Ctrl-C, not only the next')
      .option('--json', 'print every stream message (log, status, child, end) as one JSON line'),
    'netreflex execution tail 01kbdx3m5q',
    'netreflex execution tail --rule remediation.bgp_peer_down',
    'netreflex execution tail --device leaf1 --keep',
  ).action((id: string | undefined, opts: NextOptions, cmd: Command) =>
    guarded(async () => {
      if (id && (opts.rule || opts.device)) throw new NrxError('NRX_ERR_USAGE', 'give an execution id or --rule/--device, not both');
      if (!id && !opts.rule && !opts.device)
        throw new NrxError('NRX_ERR_USAGE', 'give an execution id (or a unique prefix), or --rule REF or --device NAME to follow the next one');
      const final = id ? await followExecution(clientFor(cmd), id, opts) : await followNext(clientFor(cmd), opts);
      return final ? exitFor(final.status) : EXIT.failed;
    }),
  );

  for (const op of ['cancel', 'pause', 'resume'] as const) {
    withExamples(
      ex
        .command(`${op} <id>`)
        .description(`${op} an execution in the running appliance (exit 1 when it does not apply in its current status)`)
        .option('--data-dir <dir>', 'queue the request in this data directory instead of using the API')
        .option('--wait <seconds>', 'with --data-dir: how long to wait for the appliance to apply it', '5')
        .option('--json', 'print the execution as JSON'),
      `netreflex execution ${op} 01J9Z6K3W4M2C8Q5R7T9V1X3Y5`,
    ).action((id: string, opts: { dataDir?: string; wait: string; json?: boolean }, cmd: Command) =>
      guarded(async () => {
        if (useDataDir(globalsOf(cmd))) return controlExecutionLocal(op, id, opts);
        const rec = await clientFor(cmd).controlExecution(id, op);
        if (opts.json) printJson(rec);
        else process.stdout.write(`execution ${id}: ${colorStatus(rec.status)}\n`);
      }),
    );
  }

  withExamples(
    ex
      .command('rerun <id> [params...]')
      .description('run an execution again with the same parameters; key=value replaces some (secret parameters must be given again)')
      .option('--tail', 'follow the new execution until it ends; exit 0 if it succeeded, 1 otherwise')
      .option('--json', 'print JSON'),
    'netreflex execution rerun 01J9Z6K3W4M2C8Q5R7T9V1X3Y5',
    'netreflex execution rerun 01J9Z6K3W4M2C8Q5R7T9V1X3Y5 message="once more" --tail',
  ).action((id: string, params: string[], opts: { tail?: boolean; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const client = clientFor(cmd);
      const rec = await client.rerunExecution(id, params.length ? parseKeyValues(params) : undefined);
      if (!opts.tail) {
        if (opts.json) printJson(rec);
        else process.stdout.write(`execution ${rec.id} (${rec.action}) started, re-running ${id}\n`);
        return;
      }
      process.stderr.write(`execution ${rec.id} (${rec.action}) started, re-running ${id}\n`);
      const final = await followExecution(client, rec.id, opts);
      return final ? exitFor(final.status) : EXIT.failed;
    }),
  );
}
