import type { Principal } from '../auth/roles.js';
import { NrxError } from '../core/errors.js';
import type { ActionSpec } from '../executions/action.js';

/**
 * Runner types that run a command line or script on a machine: the appliance itself, or hosts
 * it logs in to. python-script is one too: its `env` can make the interpreter load code.
 */
export const COMMAND_RUNNERS: ReadonlySet<string> = new Set([
  'local-shell-cmd',
  'local-shell-script',
  'remote-shell-cmd',
  'remote-shell-script',
  'python-script',
]);

/** Parameters that choose what such an action runs: the command line, its environment, its directory. */
export const COMMAND_CHOOSING_PARAMS = ['cmd', 'env', 'cwd'] as const;

/** The parameters in `params` that choose what a command action runs (empty for other actions). */
export function commandChoices(action: ActionSpec, params: Record<string, unknown>): string[] {
  if (!COMMAND_RUNNERS.has(action.runnerType)) return [];
  return COMMAND_CHOOSING_PARAMS.filter((k) => {
    const v = params[k];
    if (v === undefined || v === null || v === '') return false;
    return !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
  });
}

/** Whether the caller may choose what command actions of this pack run (admin, or the `shell` grant). */
export function mayChooseCommands(p: Principal, action: ActionSpec): boolean {
  return p.role === 'admin' || p.grants.shell?.includes(action.pack) === true;
}

/**
 * Arbitrary shell is an admin's: a caller that is not admin may give a command line,
 * environment (LD_PRELOAD, PATH) or directory to a command action only when a `shell` grant
 * names the action's pack. Actions with a fixed command (core.echo) stay open to operators.
 * Content loaded from pack files is the operator's own and is not checked here.
 */
export function assertCommandAllowed(p: Principal, action: ActionSpec, params: Record<string, unknown>, what: string): void {
  const chosen = commandChoices(action, params);
  if (!chosen.length || p.role === 'admin' || p.grants.shell?.includes(action.pack)) return;
  throw new NrxError(
    'NRX_ERR_FORBIDDEN',
    `${p.user} (${p.role}) may not choose what ${action.ref} runs (${chosen.join(', ')}): ${what} would run a command of the caller's choosing; that is for admins, or for a user or key with the grant {"shell": ["${action.pack}"]}`,
    { details: { action: action.ref, parameters: chosen, grant: { shell: [action.pack] } } },
  );
}
