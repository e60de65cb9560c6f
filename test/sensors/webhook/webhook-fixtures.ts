import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TriggerRegistry } from '../../../src/events/trigger-registry.js';
import { registerBuiltins } from '../../../src/events/builtin-triggers.js';
import { registerWebhookTriggers } from '../../../src/sensors/webhook/triggers.js';

const DIR = path.resolve('test/sensors/webhook/fixtures');

export function fixture(rel: string): unknown {
  return JSON.parse(readFileSync(path.join(DIR, rel), 'utf8'));
}

export function fixtureBytes(rel: string): Buffer {
  return readFileSync(path.join(DIR, rel));
}

/** One named notification from a searchlight capture (`networks.json`, `network.create.end`). */
export function notification(file: string, name: string): Record<string, unknown> {
  const all = fixture(`searchlight/${file}`) as Record<string, Record<string, unknown>>;
  const n = all[name];
  if (!n) throw new Error(`no notification ${name} in ${file}`);
  return n;
}

/** The flat oslo message: context as `_context_*` keys, metadata folded in. */
export function flatForm(n: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { event_type: n.event_type, payload: n.payload, publisher_id: n.publisher_id, priority: 'INFO' };
  const md = n.metadata as Record<string, unknown> | undefined;
  if (md) {
    out.timestamp = md.timestamp;
    out.message_id = md.message_id;
  }
  for (const [k, v] of Object.entries((n.ctxt as Record<string, unknown>) ?? {})) out[`_context_${k}`] = v;
  return out;
}

/** oslo.messaging's v2 envelope around the flat message. */
export function osloEnvelope(n: Record<string, unknown>): Record<string, unknown> {
  return { 'oslo.version': '2.0', 'oslo.message': JSON.stringify(flatForm(n)) };
}

/** A registry with the shipped and the webhook trigger types, to check decoded payloads against. */
export function registry(): TriggerRegistry {
  const r = new TriggerRegistry();
  registerBuiltins(r);
  registerWebhookTriggers(r);
  return r;
}
