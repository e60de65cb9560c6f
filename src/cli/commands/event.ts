import type { Command } from 'commander';
import { withExamples } from '../help.js';
import { parseKeyValues, printJson, table, typedValues } from '../output.js';
import { followEvents, type EventTailOptions } from '../event-tail.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';
import { emitEventLocal, listEventsLocal, printDecisionTrail, printEventTable } from './event-local.js';

export function registerEvent(program: Command): void {
  const event = program.command('event').description('events (trigger instances): emit one, list recent ones, show one, follow them live');

  withExamples(
    event
      .command('emit <type> [payload...]')
      .description("inject an event into the running appliance (through the API; with --data-dir, through the data directory's inbox)")
      .option('--data-dir <dir>', 'write to this data directory instead of using the API')
      .option('--device <name>', 'inventory device the event is about (default: payload field device)')
      .option('--json', 'print JSON'),
    'netreflex event emit network.bgp_peer_state_changed device=r1 peer=10.0.12.2 state=idle',
    'netreflex event emit core.event message=hello tags=\'["a","b"]\'',
  ).action((type: string, payload: string[], opts: { dataDir?: string; device?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const body = typedValues(parseKeyValues(payload));
      if (useDataDir(globalsOf(cmd))) return emitEventLocal(type, body, opts);
      const r = await clientFor(cmd).emitEvent(type, body, opts.device);
      if (opts.json) printJson(r);
      else process.stdout.write(`event ${r.id} (${type}) accepted by the appliance\n`);
    }),
  );

  withExamples(
    event
      .command('list')
      .description('list recent events, newest first')
      .option('--data-dir <dir>', 'read this data directory instead of the API')
      .option('--type <type>', 'only this trigger type')
      .option('--limit <n>', 'how many', '50')
      .option('--json', 'print JSON'),
    'netreflex event list --type network.bgp_peer_state_changed --limit 10',
  ).action((opts: { dataDir?: string; type?: string; limit: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      if (useDataDir(globalsOf(cmd))) return listEventsLocal(opts);
      const page = await clientFor(cmd).listEvents({ ...(opts.type ? { type: opts.type } : {}), limit: Number(opts.limit) });
      if (opts.json) printJson(page.items);
      else printEventTable(page.items);
    }),
  );

  withExamples(
    event.command('get <id>').description('one event and what every rule decided for it').option('--json', 'print JSON'),
    'netreflex event get 01J9Z6K3W4M2C8Q5R7T9V1X3Y5',
  ).action((id: string, opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const ev = await clientFor(cmd).getEvent(id);
      if (opts.json) return printJson(ev);
      process.stdout.write(
        `id:      ${ev.id}\ntype:    ${ev.type}\ntime:    ${ev.time}\nsource:  ${ev.source}\ndevice:  ${ev.device ?? '-'}\nstatus:  ${ev.status}\npayload: ${JSON.stringify(ev.payload)}\n`,
      );
      printDecisionTrail(ev.enforcements ?? []);
    }),
  );

  withExamples(
    event
      .command('tail')
      .description('follow events live as the appliance receives them (Ctrl-C stops)')
      .option('--type <types>', 'only these trigger types, comma-separated; pack.* allowed')
      .option('--device <name>', 'only events of this device')
      .option('--max <n>', 'stop after this many events')
      .option('--json', 'one JSON object per event (default: one readable line: time, type, device, payload fields)'),
    'netreflex event tail --type network.*',
    'netreflex event tail --device r1 --json',
  ).action((opts: EventTailOptions, cmd: Command) => guarded(() => followEvents(clientFor(cmd), opts)));
}
