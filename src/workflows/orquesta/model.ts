/**
 * The parsed Orquesta-style workflow: plain data (JSON-safe), ready for the conductor.
 * Template strings are kept as written (after YAQL spellings are normalised) and are
 * rendered by the conductor at the moment the language says they are evaluated.
 */

/** One `name` or `name: value` entry of input, vars, output or publish. */
export interface NamedValue {
  name: string;
  /** Absent for an input without default. */
  value?: unknown;
}

/** A duration as written: milliseconds when fixed, or a template rendered at scheduling time. */
export type DurationSpec = number | string;

export interface WithItemsSpec {
  /** `host, cmd in <% ... %>` names the parts of each item; empty for plain `with: <% ... %>`. */
  names: string[];
  /** A template that renders to a list, or a literal list. */
  items: unknown;
  /** A positive integer, a template, or null for "all at once". */
  concurrency: number | string | null;
}

export interface RetrySpec {
  /** Condition (default: failed()). */
  when: unknown;
  count: number;
  delay: DurationSpec | null;
}

export interface WaitForSpec {
  trigger: string;
  /** StackStorm criteria; patterns may be templates, rendered from ctx at scheduling time. */
  criteria: Record<string, { type: string; pattern?: unknown }>;
  timeout: DurationSpec | null;
}

export interface TransitionSpec {
  /** Condition; null means "on any completion". */
  when: unknown;
  publish: NamedValue[];
  /** Task names and the engine commands `fail`, `noop`, `continue`, `retry`. */
  do: string[];
}

export interface TaskSpec {
  name: string;
  line: number | null;
  action: string | null;
  input: Record<string, unknown>;
  join: 'all' | number | null;
  with: WithItemsSpec | null;
  retry: RetrySpec | null;
  delay: DurationSpec | null;
  timeout: DurationSpec | null;
  waitFor: WaitForSpec | null;
  next: TransitionSpec[];
}

export interface OrquestaSpec {
  file: string;
  version: string;
  description: string | null;
  input: NamedValue[];
  vars: NamedValue[];
  output: NamedValue[];
  /** Tasks by name; `taskOrder` keeps the file's order. */
  tasks: Record<string, TaskSpec>;
  taskOrder: string[];
  /** Tasks no `do` refers to: the workflow starts with these. */
  startTasks: string[];
  /** For each task, the tasks whose `do` names it. */
  inbound: Record<string, string[]>;
  /** For each task, the tasks its `do` lists name. */
  outbound: Record<string, string[]>;
  /** Tasks that run once per arriving branch (orquesta's split tasks; see splits.ts). */
  splits: string[];
  /** Inputs some task runs as its whole command line (`cmd: <% ctx(cmd) %>`; see whole-command.ts). */
  commandInputs?: string[];
}

/** Words under `do` that are engine commands, reserved as task names. */
export const ENGINE_COMMANDS: ReadonlySet<string> = new Set(['fail', 'noop', 'continue', 'retry']);

/** A task with no action and no wait_for only routes: it succeeds at once and follows `next`. */
export function isRoutingTask(t: TaskSpec): boolean {
  return t.action === null && t.waitFor === null;
}
