import type { Command } from 'commander';
import { EXIT } from '../context.js';
import { PROGRAM_HELP } from '../help.js';
import { registerAction } from './action.js';
import { registerApiKey } from './apikey.js';
import { registerCompletion } from './completion.js';
import { registerCredential } from './credential.js';
import { registerDecode } from './decode.js';
import { registerDecodeSflowTrap } from './decode-sflow-trap.js';
import { registerEvent } from './event.js';
import { registerExec } from './exec.js';
import { registerExecution } from './execution.js';
import { registerInquiry } from './inquiry.js';
import { registerInventory } from './inventory.js';
import { registerKey } from './key.js';
import { registerLogin } from './login.js';
import { registerPack } from './pack.js';
import { registerParse } from './parse.js';
import { registerRule } from './rule.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerTrigger } from './trigger.js';
import { registerUser } from './user.js';
import { registerWebhook } from './webhook.js';

/**
 * Every operator command on the program, plus the options all of them share (where the API
 * is and the credential), the top-level help and the exit-code mapping of usage errors.
 */
export function registerAll(program: Command): Command {
  program
    .option('--url <url>', 'appliance API URL (else NETREFLEX_URL, the config file, http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (else NETREFLEX_API_KEY or the config file)')
    .option('--token <token>', 'bearer token from login (else NETREFLEX_TOKEN or the config file)')
    .addHelpText('after', PROGRAM_HELP);
  registerServe(program);
  registerLogin(program);
  registerRun(program);
  registerInventory(program);
  registerExecution(program);
  registerEvent(program);
  registerRule(program);
  registerTrigger(program);
  registerKey(program);
  registerPack(program);
  registerInquiry(program);
  registerCredential(program);
  registerAction(program);
  registerUser(program);
  registerApiKey(program);
  registerWebhook(program);
  registerExec(program);
  registerParse(program);
  registerDecodeSflowTrap(registerDecode(program));
  registerCompletion(program);
  usageErrorsExitTwo(program);
  return program;
}

/**
 * commander exits 1 on an unknown option or a missing argument, in every subcommand; our
 * documented code for usage errors is 2 (help itself is 0).
 */
function usageErrorsExitTwo(cmd: Command): void {
  cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
  for (const c of cmd.commands) usageErrorsExitTwo(c);
}
