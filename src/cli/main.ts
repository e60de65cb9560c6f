#!/usr/bin/env node
import { Command } from 'commander';
import { registerEvent } from './commands/event.js';
import { registerExecution } from './commands/execution.js';
import { registerRule } from './commands/rule.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerTrigger } from './commands/trigger.js';
import { registerKeyRotate } from './commands/key-local.js';
import { registerCredential } from './commands/credential.js';
import { registerExec } from './commands/exec.js';
import { registerParse } from './commands/parse.js';
import { registerDecode } from './commands/decode.js';

const program = new Command();
program
  .name('netreflex')
  .description('netreflex: event-driven network automation (sensors -> rules -> workflows -> devices)')
  .version('0.1.0')
  .showHelpAfterError()
  .addHelpText('after', '\nExit codes: 0 success, 1 failure (action failed, rule did not match), 2 invalid input.\nData directory: --data-dir, else $NETREFLEX_DATA_DIR, else ~/.netreflex.\n');
registerServe(program);
registerRun(program);
registerRule(program);
registerEvent(program);
registerExecution(program);
registerTrigger(program);
registerKeyRotate(program.command('key').description('datastore keys and secrets'));
registerCredential(program);
registerExec(program);
registerParse(program);
registerDecode(program);
program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
await program.parseAsync(process.argv);
