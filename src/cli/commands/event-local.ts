import { registerAllTriggerTypes } from '../../sensors/trigger-types.js';
import { makeEvent } from '../../events/envelope.js';
import { TriggerRegistry } from '../../events/trigger-registry.js';
import { openStore, type DataOptions } from '../context.js';
import { printJson, table } from '../output.js';

/** `event emit|list` on a data directory, without the API. */

export async function emitEventLocal(type: string, body: Record<string, unknown>, opts: DataOptions & { device?: string; json?: boolean }): Promise<void> {
  const store = openStore(opts);
  try {
    const registry = new TriggerRegistry();
    registerAllTriggerTypes(registry);
    if (registry.has(type)) {
      const invalid = registry.validate(type, body);
      if (invalid) throw invalid;
    } else process.stderr.write(`warning: trigger type '${type}' is not registered; rules can still match it\n`);
    const ev = makeEvent(type, body, { source: 'cli', ...(opts.device ? { device: opts.device } : {}) });
    // the running appliance reads pending events from the store (its inbox)
    await store.commit([{ op: 'putTriggerInstance', value: { ...ev, status: 'pending' } }]);
    if (opts.json) printJson(ev);
    else process.stdout.write(`event ${ev.id} (${type}) queued for the appliance\n`);
  } finally {
    await store.close();
  }
}

export async function listEventsLocal(opts: DataOptions & { type?: string; limit: string; json?: boolean }): Promise<void> {
  const store = openStore(opts);
  try {
    const events = await store.listTriggerInstances({ ...(opts.type ? { type: opts.type } : {}), limit: Number(opts.limit) });
    if (opts.json) return printJson(events);
    const rows = [];
    for (const e of events) {
      const enf = await store.listEnforcements({ triggerInstanceId: e.id });
      rows.push({ ...e, rules: enf.map((x) => `${x.ruleRef}:${x.outcome}`).join(' ') || null });
    }
    printEventTable(rows);
  } finally {
    await store.close();
  }
}

export function printEventTable(
  rows: Array<{ id: string; time: string; type: string; device: string | null; status?: string; rules?: string | null; payload: unknown }>,
): void {
  process.stdout.write(
    `${table(
      rows.map((e) => ({ id: e.id, time: e.time, type: e.type, device: e.device, status: e.status, rules: e.rules, payload: e.payload })),
      ['id', 'time', 'type', 'device', 'status', 'rules', 'payload'],
    )}\n`,
  );
}
