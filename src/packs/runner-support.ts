import type { ActionSpec } from '../executions/action.js';

/**
 * Runner types StackStorm packs use that netreflex will never have, and what to do instead.
 * An action of one of these still loads (the pack's other content works); `pack list` and
 * `serve` say how many cannot run and why, and running one fails with this reason.
 */
const NEVER: Readonly<Record<string, string>> = {
  'mistral-v2': 'Mistral workflows are not supported (StackStorm itself removed Mistral in 3.3); port the workflow to orquesta',
  'mistral-v1': 'Mistral workflows are not supported (StackStorm itself removed Mistral in 3.3); port the workflow to orquesta',
  'winrm-cmd': 'Windows hosts over WinRM are not supported; run the command over remote-shell-cmd (OpenSSH on Windows) or an http-request',
  'winrm-ps-cmd': 'Windows hosts over WinRM are not supported; run the command over remote-shell-cmd (OpenSSH on Windows) or an http-request',
  'winrm-ps-script': 'Windows hosts over WinRM are not supported; run the script over remote-shell-script (OpenSSH on Windows)',
  cloudslang: 'CloudSlang flows are not supported; port the flow to orquesta',
  'windows-cmd': 'the old Windows runner (SMB) is not supported; StackStorm replaced it with WinRM, which netreflex does not have either',
  'windows-script': 'the old Windows runner (SMB) is not supported; StackStorm replaced it with WinRM, which netreflex does not have either',
};

/** Why an action of this runner type cannot run here. */
export function missingRunnerReason(runnerType: string): string {
  return NEVER[runnerType] ?? `netreflex has no runner '${runnerType}'`;
}

export interface UnrunnableAction {
  action: string;
  runnerType: string;
  reason: string;
}

/** Per pack, the loaded actions whose runner this appliance does not have. */
export function unrunnableActions(actions: Iterable<ActionSpec>, hasRunner: (runnerType: string) => boolean): Map<string, UnrunnableAction[]> {
  const out = new Map<string, UnrunnableAction[]>();
  for (const a of actions) {
    if (hasRunner(a.runnerType)) continue;
    const list = out.get(a.pack) ?? [];
    list.push({ action: a.ref, runnerType: a.runnerType, reason: missingRunnerReason(a.runnerType) });
    out.set(a.pack, list);
  }
  return out;
}

/** One line for a pack: "3 of 12 actions cannot run: 2 use mistral-v2 (why), 1 uses winrm-cmd (why)". */
export function describeUnrunnable(list: UnrunnableAction[], total: number): string {
  const byRunner = new Map<string, number>();
  for (const u of list) byRunner.set(u.runnerType, (byRunner.get(u.runnerType) ?? 0) + 1);
  const parts = [...byRunner].map(([t, n]) => `${n} use${n === 1 ? 's' : ''} ${t} (${missingRunnerReason(t)})`);
  return `${list.length} of ${total} action${total === 1 ? '' : 's'} cannot run: ${parts.join('; ')}`;
}
