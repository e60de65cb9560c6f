import type { NamedValue, TaskSpec } from './model.js';

/**
 * StackStorm workflows often take the whole command line as input and hand it on:
 * `cmd: <% ctx(cmd) %>`. netreflex runs such a value as a command line only when it is
 * exactly the workflow's input as given when the run started, and only when an operator who may
 * choose commands (admin, or the `shell` grant on the workflow's pack; `netreflex run` on the data
 * directory) started the run directly. A run a rule started (event data), a child of another
 * workflow, or a value a task published since, is refused with NRX_ERR_FORBIDDEN: every other
 * template value in a `cmd` stays a quoted shell variable (core/shell-command.ts).
 */

const WHOLE_INPUT = [
  /^\s*<%\s*ctx\(\s*(\w+)\s*\)\s*%>\s*$/,
  /^\s*<%\s*ctx\(\)\.(\w+)\s*%>\s*$/,
  /^\s*<%\s*\$\.(\w+)\s*%>\s*$/,
  /^\s*\{\{\s*ctx\(\s*'(\w+)'\s*\)\s*\}\}\s*$/,
  /^\s*\{\{\s*ctx\(\s*"(\w+)"\s*\)\s*\}\}\s*$/,
  /^\s*\{\{\s*ctx\(\)\.(\w+)\s*\}\}\s*$/,
];

/** The workflow input a task's `cmd` is, whole, or null when it is anything else. */
export function wholeCommandInput(task: TaskSpec, inputs: readonly NamedValue[]): string | null {
  const cmd = task.input.cmd;
  if (typeof cmd !== 'string') return null;
  for (const re of WHOLE_INPUT) {
    const name = re.exec(cmd)?.[1];
    if (name !== undefined) return inputs.some((i) => i.name === name) ? name : null;
  }
  return null;
}

/** Every input some task uses as its whole command line. */
export function commandInputsOf(tasks: Record<string, TaskSpec>, inputs: readonly NamedValue[]): string[] {
  const out = new Set<string>();
  for (const t of Object.values(tasks)) {
    const n = wholeCommandInput(t, inputs);
    if (n !== null) out.add(n);
  }
  return [...out];
}

/**
 * The command lines a run may execute, fixed at start: inputs the operator gave (when the run is
 * trusted with commands) and literal defaults from the workflow file (the pack is the operator's).
 */
export function trustedCommandInputs(
  names: readonly string[],
  declared: readonly NamedValue[],
  given: Record<string, unknown>,
  trusted: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(given, name)) {
      if (trusted && typeof given[name] === 'string') out[name] = given[name];
      continue;
    }
    const d = declared.find((i) => i.name === name);
    if (d && typeof d.value === 'string' && !/\{\{|<%|\{%/.test(d.value)) out[name] = d.value;
  }
  return out;
}
