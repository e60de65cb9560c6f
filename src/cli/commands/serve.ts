import type { Command } from 'commander';
import { Appliance } from '../../appliance.js';
import { createLogger } from '../../core/log.js';
import { collect, configFrom, type DataOptions } from '../context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the appliance: store, packs, rules and workflow engine in one process, waiting for events')
    .option('--data-dir <dir>', 'data directory (default: $NETREFLEX_DATA_DIR or ~/.netreflex)')
    .option('--packs-path <dir>', 'extra pack base path, searched before $NETREFLEX_PACKS_PATH (repeatable)', collect)
    .addHelpText('after', '\nExamples:\n  netreflex serve --data-dir /var/lib/netreflex\n  NETREFLEX_PACKS_PATH=/opt/packs netreflex serve\n')
    .action(async (opts: DataOptions) => {
      const config = configFrom(opts);
      const log = createLogger();
      const appliance = new Appliance({ config, log });
      const c = appliance.content;
      const r = await appliance.start();
      const say = (s: string): void => void process.stderr.write(`${s}\n`);
      say(`netreflex: data directory ${config.dataDir}`);
      say(`netreflex: ${c.loaded.packs.length} packs, ${c.loaded.actions.size} actions, ${c.rules.length} rules, ${c.loaded.policies.length} policies loaded from ${config.packsPaths.join(':')}`);
      for (const e of c.errors) say(`netreflex: not loaded: ${e.code}: ${e.message}`);
      say(`netreflex: resumed ${r.resumed} executions (${r.rerun} re-run, ${r.abandoned} abandoned), ${r.pendingEvents} pending events`);
      say('netreflex: waiting for events (try: netreflex event emit core.event message=hello)');
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        say('netreflex: stopping');
        void appliance.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await new Promise(() => {});
    });
}
