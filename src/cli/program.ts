import { Command } from 'commander';
import { netreflexVersion } from '../core/version.js';
import { COMMANDS, commandEntry, type CommandEntry } from './commands/index.js';
import { EXIT } from './exit-codes.js';
import { PROGRAM_HELP } from './help.js';

/** Global options that take a value: skipped when looking for the command word. */
const VALUE_OPTIONS = new Set(['--url', '--api-key', '--token']);

/** The command word of an argv (after node and the script): `netreflex --url U run x` -> run. */
export function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a === 'help' ? (args[i + 1] ?? a) : a;
  }
  return undefined;
}

function baseProgram(): Command {
  return new Command()
    .name('netreflex')
    .description('netreflex: event-driven network automation (sensors -> rules -> workflows -> devices)')
    .version(netreflexVersion())
    .configureHelp({ showGlobalOptions: true })
    .option('--url <url>', 'appliance API URL (else NETREFLEX_URL, the config file, http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (else NETREFLEX_API_KEY or the config file)')
    .option('--token <token>', 'bearer token from login (else NETREFLEX_TOKEN or the config file)')
    .addHelpText('after', PROGRAM_HELP);
}

async function register(program: Command, entries: CommandEntry[]): Promise<void> {
  for (const register of await Promise.all(entries.map((e) => e.load()))) register(program);
}

/**
 * The program for one command line: only the module of the command given is loaded. With no
 * command (or an unknown one) every command is listed from its summary, which loads nothing.
 */
export async function programFor(args: string[]): Promise<Command> {
  const program = baseProgram();
  const word = commandWord(args);
  const entry = word === undefined ? undefined : commandEntry(word);
  // completion describes the whole tree
  if (entry?.names.includes('completion')) await register(program, COMMANDS);
  else if (entry) await register(program, [entry]);
  else
    for (const e of COMMANDS) {
      const stub = program.command(e.names[0]!).description(e.names.length > 1 ? `${e.summary} (${e.names.slice(1).join(', ')})` : e.summary);
      if (e.aliases) stub.aliases(e.aliases);
    }
  return usageErrors(program);
}

/** Every command loaded: completion, and the test that runs every help example. */
export async function fullProgram(): Promise<Command> {
  const program = baseProgram();
  await register(program, COMMANDS);
  return usageErrors(program);
}

/**
 * A usage error prints its message and one line on where help is, not the whole help; it
 * exits 2, our documented code for usage errors (commander's is 1; help itself is 0).
 */
function usageErrors(cmd: Command): Command {
  cmd.showHelpAfterError(`(run '${pathOf(cmd)} --help' for usage)`);
  cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
  for (const c of cmd.commands) usageErrors(c);
  return cmd;
}

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
