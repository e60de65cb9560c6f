import type { Command } from 'commander';
import { registerBuiltins } from '../../events/builtin-triggers.js';
import { TriggerRegistry } from '../../events/trigger-registry.js';
import { printJson, table } from '../output.js';

export function registerTrigger(program: Command): void {
  const trigger = program.command('trigger').description('trigger types: the event types rules can match');
  trigger
    .command('list')
    .description('list the registered trigger types and their payload fields')
    .option('--json', 'print JSON with payload schemas')
    .action((opts: { json?: boolean }) => {
      const registry = new TriggerRegistry();
      registerBuiltins(registry);
      const types = registry.list();
      if (opts.json) printJson(types);
      else {
        const rows = types.map((t) => {
          const schema = t.payloadSchema as { properties?: Record<string, unknown>; required?: string[] };
          const req = new Set(schema.required ?? []);
          return { ref: t.ref, fields: Object.keys(schema.properties ?? {}).map((f) => (req.has(f) ? `${f}*` : f)).join(' ') || '(any)', description: t.description };
        });
        process.stdout.write(`${table(rows, ['ref', 'fields', 'description'])}\n(* = required)\n`);
      }
    });
}
