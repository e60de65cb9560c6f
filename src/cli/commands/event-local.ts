import { ApiRuleStore } from '../../api/rule-store.js';
import { loadContent } from '../../appliance.js';
import { registerAllTriggerTypes } from '../../sensors/trigger-types.js';
import { makeEvent } from '../../events/envelope.js';
import { TriggerRegistry } from '../../events/trigger-registry.js';
import { assertDeclaredTrigger } from '../../events/undeclared-trigger.js';
import type { RuleEnforcementRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { configFrom, type DataOptions } from '../context.js';
import { printJson, table } from '../output.js';
import { openExistingDataDir } from '../local-data.js';

/** `event emit|list` on a data directory, without the API. */

export async function emitEventLocal(type: string, body: Record<string, unknown>, opts: DataOptions & { device?: string; json?: boolean }): Promise<void> {
  const { store } = openExistingDataDir(opts);
  try {
    const registry = new TriggerRegistry();
    registerAllTriggerTypes(registry);
    if (registry.has(type)) {
      const invalid = registry.validate(type, body);
      if (invalid) throw invalid;
    } else assertDeclaredTrigger(type, await ruleTriggerTypes(store, opts, registry));
    const ev = makeEvent(type, body, { source: 'cli', ...(opts.device ? { device: opts.device } : {}) });
    // the running appliance reads pending events from the store (its inbox)
    await store.commit([{ op: 'putTriggerInstance', value: { ...ev, status: 'pending' } }]);
    if (opts.json) printJson(ev);
    else process.stdout.write(`event ${ev.id} (${type}) queued for the appliance\n`);
  } finally {
    await store.close();
  }
}

/** The types the appliance on this data directory would accept: registered, or named by a pack's or the API's rules. */
async function ruleTriggerTypes(store: Store, opts: DataOptions, registry: TriggerRegistry): Promise<string[]> {
  const packRules = loadContent(configFrom(opts).packsPaths).rules;
  const apiRules = (await new ApiRuleStore(store.ruleOverrides).load()).rules;
  return [...registry.list().map((t) => t.ref), ...packRules.map((r) => r.trigger.type), ...apiRules.map((r) => r.trigger.type)];
}

/** `leaf1.bgp_peer:executed other:throttled`: which rules fired and what they decided. */
export function rulesColumn(enforcements: Array<Pick<RuleEnforcementRecord, 'ruleRef' | 'outcome'>> | undefined): string | null {
  return (enforcements ?? []).map((x) => `${x.ruleRef}:${x.outcome}`).join(' ') || null;
}

export async function listEventsLocal(opts: DataOptions & { type?: string; limit: string; json?: boolean }): Promise<void> {
  const { store } = openExistingDataDir(opts);
  try {
    const events = await store.listTriggerInstances({ ...(opts.type ? { type: opts.type } : {}), limit: Number(opts.limit) });
    if (opts.json) return printJson(events);
    const rows = [];
    for (const e of events) {
      const enf = await store.listEnforcements({ triggerInstanceId: e.id });
      rows.push({ ...e, rules: rulesColumn(enf) });
    }
    printEventTable(rows);
  } finally {
    await store.close();
  }
}

export function printEventTable(
  rows: Array<{
    id: string;
    time: string;
    type: string;
    device: string | null;
    status?: string;
    rules?: string | null;
    enforcements?: RuleEnforcementRecord[];
    payload: unknown;
  }>,
): void {
  process.stdout.write(
    `${table(
      // offline rows carry the rules column; API rows carry the enforcements it is made from
      rows.map((e) => ({
        id: e.id,
        time: e.time,
        type: e.type,
        device: e.device,
        status: e.status,
        rules: e.rules ?? rulesColumn(e.enforcements),
        payload: e.payload,
      })),
      ['id', 'time', 'type', 'device', 'status', 'rules', 'payload'],
    )}\n`,
  );
}

/** `event get`: each rule's decision and, when it started an execution, its status and outcome (what it did). */
export function printDecisionTrail(trail: Array<RuleEnforcementRecord & { execution?: { id: string; status: string; outcome: string | null } | null }>): void {
  if (!trail.length) return;
  const rows = trail.map((e) => ({
    rule: e.ruleRef,
    decision: e.outcome,
    execution: e.executionId,
    status: e.execution?.status ?? null,
    outcome: e.execution?.outcome ?? null,
    reason: e.reason,
  }));
  process.stdout.write(`\nrules:\n${table(rows, ['rule', 'decision', 'execution', 'status', 'outcome', 'reason'])}\n`);
}
