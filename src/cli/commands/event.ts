import type { Command } from 'commander';
import { registerBuiltins } from '../../events/builtin-triggers.js';
import { makeEvent } from '../../events/envelope.js';
import { TriggerRegistry } from '../../events/trigger-registry.js';
import { EXIT, openStore, reportError, type DataOptions } from '../context.js';
import { parseKeyValues, printJson, table, typedValues } from '../output.js';

export function registerEvent(program: Command): void {
  const event = program.command('event').description('events (trigger instances): emit one into the running appliance, list recent ones');
  event
    .command('emit <type> [payload...]')
    .description('inject an event: it is written to the data directory\'s inbox, where the running appliance picks it up within a moment')
    .option('--data-dir <dir>', 'data directory of the running appliance')
    .option('--device <name>', 'inventory device the event is about (default: payload field device)')
    .option('--json', 'print the event envelope as JSON')
    .addHelpText('after', '\nExamples:\n  netreflex event emit network.bgp_peer_state_changed device=r1 peer=10.0.12.2 state=idle\n  netreflex event emit core.event message=hello tags=\'["a","b"]\'\n')
    .action(async (type: string, payload: string[], opts: DataOptions & { device?: string; json?: boolean }) => {
      const store = openStore(opts);
      try {
        const body = typedValues(parseKeyValues(payload));
        const registry = new TriggerRegistry();
        registerBuiltins(registry);
        if (registry.has(type)) {
          const invalid = registry.validate(type, body);
          if (invalid) throw invalid;
        } else process.stderr.write(`warning: trigger type '${type}' is not registered; rules can still match it\n`);
        const ev = makeEvent(type, body, { source: 'cli', ...(opts.device ? { device: opts.device } : {}) });
        await store.commit([{ op: 'putTriggerInstance', value: { ...ev, status: 'pending' } }]);
        if (opts.json) printJson(ev);
        else process.stdout.write(`event ${ev.id} (${type}) queued for the appliance\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  event
    .command('list')
    .description('list recent events, newest first')
    .option('--data-dir <dir>', 'data directory')
    .option('--type <type>', 'only this trigger type')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: DataOptions & { type?: string; limit: string; json?: boolean }) => {
      const store = openStore(opts);
      try {
        const events = await store.listTriggerInstances({ ...(opts.type ? { type: opts.type } : {}), limit: Number(opts.limit) });
        if (opts.json) printJson(events);
        else {
          const rows = [];
          for (const e of events) {
            const enf = await store.listEnforcements({ triggerInstanceId: e.id });
            rows.push({ id: e.id, time: e.time, type: e.type, device: e.device, status: e.status, rules: enf.map((x) => `${x.ruleRef}:${x.outcome}`).join(' ') || null, payload: e.payload });
          }
          process.stdout.write(`${table(rows, ['id', 'time', 'type', 'device', 'status', 'rules', 'payload'])}\n`);
        }
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  void EXIT;
}
