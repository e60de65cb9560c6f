import type { Command } from 'commander';
import { actionView } from '../../api/routes/actions.js';
import { loadContent } from '../../appliance.js';
import { NrxError } from '../../core/errors.js';
import { collect, configFrom, type DataOptions } from '../context.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';

type ActionView = Record<string, unknown>;
type ParamView = { type?: string; required?: boolean; default?: unknown; description?: string; secret?: boolean; enum?: unknown[] };

/** The actions the pack paths hold, as the API shows them, without an appliance. */
function localActions(opts: DataOptions): { items: ActionView[]; errors: NrxError[] } {
  const content = loadContent(configFrom(opts).packsPaths);
  const items = [...content.loaded.actions.values()].sort((a, b) => a.ref.localeCompare(b.ref)).map(actionView);
  return { items, errors: content.errors };
}

/** Parameter names, required ones first with a `*`: what `run` needs at a glance (`action get` shows the rest). */
function paramSummary(params: Record<string, ParamView>): string {
  const entries = Object.entries(params).sort(([, a], [, b]) => Number(Boolean(b.required)) - Number(Boolean(a.required)));
  return entries.map(([name, p]) => `${name}${p.required ? '*' : ''}`).join(' ') || '-';
}

function printAction(a: ActionView): void {
  const out = [`${String(a.ref)}  (${String(a.runnerType)}${a.enabled === false ? ', disabled' : ''})`, `  ${String(a.description || '(no description)')}`];
  const params = Object.entries((a.parameters ?? {}) as Record<string, ParamView>);
  if (params.length) {
    out.push('  parameters (* = required):');
    for (const [name, p] of params) {
      const bits = [
        p.type ?? 'any',
        p.default !== undefined ? `default ${JSON.stringify(p.default)}` : '',
        p.enum ? `one of ${p.enum.map(String).join('|')}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      out.push(`    ${name}${p.required ? '*' : ''}  ${bits}${p.description ? `  - ${p.description}` : ''}`);
    }
  } else out.push('  no parameters');
  if (a.deviceLock) out.push(`  device lock on parameter '${String((a.deviceLock as { parameter?: string }).parameter)}'`);
  if (a.timeoutMs) out.push(`  timeout ${Number(a.timeoutMs) / 1000} s`);
  out.push(`  run it: netreflex run ${String(a.ref)}${params.some(([, p]) => p.required) ? ' <name>=<value> ...' : ''}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const offlineOptions = (c: Command): Command =>
  c
    .option('--data-dir <dir>', 'work offline on the pack paths instead of asking the API')
    .option('--packs-path <dir>', 'extra pack base path, offline (repeatable)', collect);

export function registerAction(program: Command): void {
  const action = program.command('action').description('actions and workflows that can be run: list them, show one with its parameters');

  withExamples(
    offlineOptions(action.command('list').description('list the actions (offline with --data-dir: the ones in the pack paths)'))
      .option('--pack <pack>', 'only this pack')
      .option('--runner <runner>', 'only this runner type (e.g. orquesta, netreflex-cli)')
      .option('--json', 'print JSON'),
    'netreflex action list',
    'netreflex action list --pack core',
    'netreflex action list --runner orquesta --json',
  ).action((opts: DataOptions & { pack?: string; runner?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      let items: ActionView[];
      let errors: NrxError[] = [];
      if (useDataDir(globalsOf(cmd))) ({ items, errors } = localActions(opts));
      else items = (await clientFor(cmd).listActions(opts.pack ? { pack: opts.pack } : {})).items;
      items = items.filter((a) => (!opts.pack || a.pack === opts.pack) && (!opts.runner || a.runnerType === opts.runner));
      if (opts.json) printJson(items);
      else
        process.stdout.write(
          `${table(
            items.map((a) => ({
              ref: a.ref,
              runner: a.runnerType,
              parameters: paramSummary((a.parameters ?? {}) as Record<string, ParamView>),
              description: a.description,
            })),
            ['ref', 'runner', 'parameters', 'description'],
          )}\n`,
        );
      for (const e of errors) process.stderr.write(`warning: not loaded: ${e.code}: ${e.message}\n`);
    }),
  );

  withExamples(
    offlineOptions(action.command('get <ref>').description('show one action: runner, parameters with types and defaults, how to run it')).option(
      '--json',
      'print JSON',
    ),
    'netreflex action get core.local',
  ).action((ref: string, opts: DataOptions & { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      let a: ActionView;
      if (useDataDir(globalsOf(cmd))) {
        const found = localActions(opts).items.find((x) => x.ref === ref);
        if (!found) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `no action '${ref}' in the pack paths ${configFrom(opts).packsPaths.join(':')}`);
        a = found;
      } else a = await clientFor(cmd).getAction(ref);
      if (opts.json) printJson(a);
      else printAction(a);
    }),
  );
}
