import type { Command } from 'commander';
import { registerAllTriggerTypes } from '../../sensors/trigger-types.js';
import { TriggerRegistry } from '../../events/trigger-registry.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';

interface TriggerTypeView {
  ref: string;
  description: string;
  payloadSchema: unknown;
}

export function registerTrigger(program: Command): void {
  const trigger = program.command('trigger').description('trigger types: the event types rules can match');
  withExamples(
    trigger
      .command('list')
      .description('list the trigger types and their payload fields (with --data-dir: the built-in ones, without the API)')
      .option('--data-dir <dir>', 'work offline instead of asking the API')
      .option('--json', 'print JSON with payload schemas'),
    'netreflex trigger list',
    'netreflex trigger list --json | jq \'.[] | select(.ref | startswith("network."))\'',
  ).action((opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      let types: TriggerTypeView[];
      if (useDataDir(globalsOf(cmd))) {
        const registry = new TriggerRegistry();
        registerAllTriggerTypes(registry);
        types = registry.list();
      } else types = (await clientFor(cmd).listTriggerTypes()).items;
      if (opts.json) return printJson(types);
      const rows = types.map((t) => {
        const schema = (t.payloadSchema ?? {}) as { properties?: Record<string, unknown>; required?: string[] };
        const req = new Set(schema.required ?? []);
        return {
          ref: t.ref,
          fields:
            Object.keys(schema.properties ?? {})
              .map((f) => (req.has(f) ? `${f}*` : f))
              .join(' ') || '(any)',
          description: t.description,
        };
      });
      process.stdout.write(`${table(rows, ['ref', 'fields', 'description'])}\n(* = required)\n`);
    }),
  );
}
