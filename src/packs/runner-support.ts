import type { ActionSpec } from '../executions/action.js';
import { missingRunnerReason } from '../executions/runners/registry.js';

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
