import type { CliMode } from '../contract/cli.js';
import type { GetterModels, GetterName } from '../contract/getters.js';
import type { WarnLine } from '../parsing/warnings.js';

/**
 * A platform is data: how its prompts look in each mode, what to send on open (paging off),
 * how to enter and leave config mode, which words mean "the device rejected that", and which
 * command feeds which getter. Adding a platform is adding a folder that exports one of these.
 */

/**
 * Parse one command's output. Lines it cannot read go to `warn` (with their line number) and
 * the readable rows are returned; throws NrxError NRX_ERR_PARSE only when nothing is recognisable.
 */
export type OutputParser<G extends GetterName> = (output: string, command: string, warn?: WarnLine) => GetterModels[G];

export interface CommandParser<G extends GetterName = GetterName> {
  getter: G;
  parse: OutputParser<G>;
}

export interface GetterRecipe<G extends GetterName = GetterName> {
  /** Commands sent, in order. */
  commands: string[];
  /** Outputs in the same order -> the model. */
  build(outputs: string[]): GetterModels[G];
}

/** The candidate lifecycle in commands, for platforms that have one (Junos, IOS-XR). */
export interface CandidateCommands {
  /** Config-mode command that shows candidate vs running (`show | compare`). */
  compare: string;
  commit(comment?: string): string;
  /** Throw away the candidate (`rollback 0`, `abort`), in config mode. */
  discard: string;
  /** Commands that roll the running config back `steps` commits, run from config mode. */
  rollback(steps: number): string[];
  /** Replace: start of the paste (`load override terminal`) and how the paste ends (Ctrl-D). */
  replace?: { start: string; ready: RegExp; end: string };
}

export interface Platform {
  name: string;
  vendor: string;
  /** A switch without a routing protocol: it has no BGP getter (every other platform must). */
  layer2?: boolean;
  /**
   * Prompt suffix per mode, as regex source, appended to the learned base prompt. The base is
   * what the device prints before its mode marker (`r1` in `r1#`, `admin@vmx1` in `admin@vmx1>`).
   */
  promptSuffix: Partial<Record<CliMode, string>> & { privileged: string };
  /** Characters that end the base prompt on this platform (`#`, `>`), used to learn it. */
  promptEnd: RegExp;
  /** Lines above the prompt that belong to it (Junos prints `[edit]` on its own line). */
  promptPrefixLine?: RegExp;
  /** Sent once after login: paging off, width. */
  onOpen: string[];
  /** Paging prompt to answer with a space should paging still be on. */
  pager?: RegExp;
  enable?: { command: string; passwordPrompt: RegExp };
  configEnter: string;
  configExit: string;
  /** A line of output matching one of these means the device rejected the command. */
  failurePatterns: RegExp[];
  getters: Partial<{ [G in GetterName]: GetterRecipe<G> }>;
  /** Single-command parsers by normalised command (`netreflex parse`). */
  parsers: Record<string, CommandParser>;
  candidate?: CandidateCommands;
}

export function normaliseCommand(command: string): string {
  return command.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A getter that is one command and its parser. */
export function single<G extends GetterName>(getter: G, command: string, parse: OutputParser<G>): { recipe: GetterRecipe<G>; parser: CommandParser<G> } {
  return { recipe: { commands: [command], build: ([out]) => parse(out ?? '', command) }, parser: { getter, parse } };
}

/** Failure strings most Cisco-like CLIs share. */
export const CISCO_LIKE_FAILURES: RegExp[] = [
  /^% ?Invalid (input|command)/m,
  /^% ?Incomplete command/m,
  /^% ?Ambiguous command/m,
  /^% ?Unknown command/m,
  /^% ?Unrecognized command/m,
  /^% ?Bad mask/m,
  /^% ?Error/im,
];
