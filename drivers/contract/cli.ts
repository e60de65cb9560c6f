/**
 * The CLI driver contract every platform fulfils (NAPALM's idea, async only): send commands,
 * configure, a candidate lifecycle where the platform has one, and getters that return
 * vendor-neutral models. A command the device rejects is a failed CommandResult; an exception
 * (NrxError) means the infrastructure broke: auth, timeout, host key, lost connection.
 */

import type { BgpNeighbors, Facts, GetterModels, GetterName, Interfaces, LagMembers, LldpNeighbors } from './getters.js';

/** What one command produced. `failed` is true when the device rejected it (e.g. `% Invalid input`). */
export interface CommandResult {
  command: string;
  output: string;
  failed: boolean;
  /** The device's own words for the rejection, e.g. `% Unknown command: show bogus`. */
  failureReason?: string;
  elapsedMs: number;
}

export interface SendOptions {
  /** Per-command timeout in ms (default: the session's commandTimeoutMs). */
  timeoutMs?: number;
  /** Called with output as it arrives, for long outputs (`show tech`). */
  onData?: (chunk: string) => void;
  /** Stop at the first failed command and leave the rest unsent. */
  stopOnFailure?: boolean;
}

export interface ConfigResult {
  results: CommandResult[];
  failed: boolean;
}

/** The candidate-configuration lifecycle (load merge/replace -> compare -> commit | discard; rollback). */
export interface CandidateConfig {
  loadMerge(lines: string[]): Promise<ConfigResult>;
  loadReplace(config: string): Promise<ConfigResult>;
  /** The diff between the candidate and the running configuration, as the device prints it. */
  compare(): Promise<string>;
  commit(comment?: string): Promise<ConfigResult>;
  discard(): Promise<void>;
  rollback(steps?: number): Promise<ConfigResult>;
}

export interface Driver extends CandidateConfig {
  readonly device: string;
  readonly platform: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  send(commands: string[], opts?: SendOptions): Promise<CommandResult[]>;
  /** Enter config mode, send lines, leave config mode. Rejected lines are failed results. */
  configure(lines: string[], opts?: SendOptions): Promise<ConfigResult>;
  getFacts(): Promise<Facts>;
  getInterfaces(): Promise<Interfaces>;
  getBgpNeighbors(): Promise<BgpNeighbors>;
  getLldpNeighbors(): Promise<LldpNeighbors>;
  getLagMembers(): Promise<LagMembers>;
  get<G extends GetterName>(getter: G): Promise<GetterModels[G]>;
}

/** The CLI modes a prompt shows. */
export type CliMode = 'exec' | 'privileged' | 'config';

export interface RunOptions {
  timeoutMs?: number;
  onData?: (chunk: string) => void;
  /** Also stop reading when the output ends with this (a password or paste prompt). */
  expect?: RegExp;
  /** A secret (enable password): not echoed by the device, never named in errors. */
  secret?: boolean;
}

export interface RunOutput {
  output: string;
  /** The prompt (or expect match) that ended the output. */
  prompt: string;
  elapsedMs: number;
}

/** What a driver needs from a CLI session (SSH in production; the contract tests fake it). */
export interface CliSession {
  readonly mode: CliMode;
  readonly basePrompt: string;
  run(command: string, opts?: RunOptions): Promise<RunOutput>;
  close(): Promise<void>;
}
