import { BUILTIN_TRIGGER_TYPES } from '../../events/builtin-triggers.js';
import { describeValue, fieldOf, isPlainObject, malformed, MAX_JSON_DEPTH, tooDeep } from './malformed.js';
import type { DecodedEvent } from './decoded.js';

/**
 * OpenStack Neutron notifications -> `openstack.<resource>_<created|updated|deleted>` events.
 *
 * Neutron publishes through oslo.messaging; a relay posting them here may send any of:
 *   - oslo's v2 envelope `{"oslo.version": "2.0", "oslo.message": "<the message as a JSON string>"}`
 *   - the flat message: `{event_type, payload, publisher_id, priority, timestamp, message_id, _context_*}`
 *   - the listener form: `{event_type, payload, publisher_id, ctxt, metadata}` (or just `{event_type, payload}`)
 *   - a JSON array of any of these.
 * The resource's fields keep Neutron's names with ':' replaced by '_' (`provider:segmentation_id`
 * -> `provider_segmentation_id`, `binding:host_id` -> `binding_host_id`).
 */

const RESOURCES = ['network', 'port', 'subnet'] as const;
type Resource = (typeof RESOURCES)[number];
const ACTIONS: Record<string, 'created' | 'updated' | 'deleted'> = { create: 'created', update: 'updated', delete: 'deleted' };

/** Resource fields whose trigger schema does not allow null: Neutron's nulls there are left out. */
function notNullable(resource: Resource): ReadonlySet<string> {
  const spec = BUILTIN_TRIGGER_TYPES.find((t) => t.ref === `openstack.${resource}_created`);
  const props = (spec?.payloadSchema?.properties ?? {}) as Record<string, { type?: unknown }>;
  const nullable = (s: { type?: unknown }): boolean => (Array.isArray(s.type) ? s.type.includes('null') : s.type === 'null');
  return new Set(
    Object.entries(props)
      .filter(([, s]) => !nullable(s))
      .map(([k]) => k),
  );
}
const NOT_NULLABLE: Record<Resource, ReadonlySet<string>> = { network: notNullable('network'), port: notNullable('port'), subnet: notNullable('subnet') };

/** Context fields worth carrying: who and which request. Never auth_token or anything like it. */
const CONTEXT_FIELDS = ['request_id', 'project_id', 'tenant_id', 'user_id', 'user', 'project_name', 'user_name', 'global_request_id'] as const;
const NOTIFICATION_FIELDS = ['publisher_id', 'priority', 'timestamp', 'message_id'] as const;

export function decodeNeutronBody(body: unknown): DecodedEvent[] {
  if (Array.isArray(body)) return body.flatMap((n, i) => decodeOne(n, fieldOf('', i)));
  return decodeOne(body, '');
}

function decodeOne(value: unknown, at: string): DecodedEvent[] {
  if (!isPlainObject(value)) throw malformed(at, `a Neutron notification must be a JSON object (got ${describeValue(value)})`);
  if ('oslo.message' in value || 'oslo.version' in value) return [fromNotification(unwrapOslo(value, at), fieldOf(at, 'oslo.message'))];
  return [fromNotification(value, at)];
}

function unwrapOslo(envelope: Record<string, unknown>, at: string): Record<string, unknown> {
  const version = envelope['oslo.version'];
  if (version !== '2.0') throw malformed(fieldOf(at, 'oslo.version'), `oslo envelope version must be "2.0" (got ${describeValue(version)})`);
  const msg = envelope['oslo.message'];
  const field = fieldOf(at, 'oslo.message');
  if (typeof msg !== 'string') throw malformed(field, `must be the message as a JSON string (got ${describeValue(msg)})`);
  let inner: unknown;
  try {
    inner = JSON.parse(msg);
  } catch (e) {
    throw malformed(field, `is not JSON (${(e as Error).message.slice(0, 120)})`);
  }
  if (!isPlainObject(inner)) throw malformed(field, `must hold a JSON object (got ${describeValue(inner)})`);
  const deep = tooDeep(inner);
  if (deep !== null) throw malformed(fieldOf(field, deep), `nests deeper than ${MAX_JSON_DEPTH} levels`);
  return inner;
}

function fromNotification(n: Record<string, unknown>, at: string): DecodedEvent {
  const eventType = n.event_type;
  if (typeof eventType !== 'string' || eventType === '')
    throw malformed(fieldOf(at, 'event_type'), `is required: a notification type such as network.create.end (got ${describeValue(eventType)})`);
  if (!('payload' in n)) throw malformed(fieldOf(at, 'payload'), 'is required');
  const meta = notificationMeta(n, eventType);
  const m = /^(network|port|subnet)\.(create|update|delete)\.end$/.exec(eventType);
  if (!m) {
    return {
      type: 'openstack.notification',
      normalised: false,
      payload: { event_type: eventType, publisher_id: meta.publisher_id ?? null, payload: n.payload, notification: meta },
    };
  }
  const resource = m[1] as Resource;
  const action = ACTIONS[m[2]!]!;
  const payloadField = fieldOf(at, 'payload');
  if (!isPlainObject(n.payload)) throw malformed(payloadField, `must be an object carrying the ${resource} (got ${describeValue(n.payload)})`);
  const fields = resourceFields(n.payload, resource, action, payloadField);
  return { type: `openstack.${resource}_${action}`, normalised: true, payload: { ...fields, notification: meta } };
}

/** The resource, flattened to trigger-payload names. Deletes carry only `<resource>_id` in older Neutron. */
function resourceFields(payload: Record<string, unknown>, resource: Resource, action: string, at: string): Record<string, unknown> {
  const body = payload[resource];
  const idKey = `${resource}_id`;
  let fields: Record<string, unknown>;
  if (isPlainObject(body)) fields = renameFields(body, resource);
  else if (body !== undefined && body !== null) throw malformed(fieldOf(at, resource), `must be an object (got ${describeValue(body)})`);
  else if (action === 'deleted') fields = {};
  else throw malformed(fieldOf(at, resource), `is required in a ${resource} notification`);
  if (fields.id === undefined && typeof payload[idKey] === 'string') fields.id = payload[idKey];
  if (typeof fields.id !== 'string' || fields.id === '') {
    const where = isPlainObject(body) ? fieldOf(fieldOf(at, resource), 'id') : fieldOf(at, idKey);
    throw malformed(where, `is required: the ${resource}'s id (got ${describeValue(fields.id)})`);
  }
  return fields;
}

function renameFields(resourceBody: Record<string, unknown>, resource: Resource): Record<string, unknown> {
  const notNull = NOT_NULLABLE[resource];
  const entries: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(resourceBody)) {
    const name = k.replace(/:/g, '_');
    if (v === null && notNull.has(name)) continue;
    // Some relays stringify numbers; the VNI / VLAN id is an integer in the trigger contract.
    if (name === 'provider_segmentation_id' && typeof v === 'string' && /^\d{1,9}$/.test(v)) entries.push([name, Number(v)]);
    else entries.push([name, v]);
  }
  // Neutron before Newton named the project tenant_id only.
  if (!entries.some(([k]) => k === 'project_id')) {
    const tenant = entries.find(([k]) => k === 'tenant_id');
    if (tenant && typeof tenant[1] === 'string') entries.push(['project_id', tenant[1]]);
  }
  // fromEntries, not assignment: a key named __proto__ stays a plain field.
  return Object.fromEntries(entries);
}

/** event_type, who published it and the request context: from ctxt, context or the flat `_context_*` keys. */
function notificationMeta(n: Record<string, unknown>, eventType: string): Record<string, unknown> {
  const meta: Record<string, unknown> = { event_type: eventType };
  for (const k of NOTIFICATION_FIELDS) if (isScalar(n[k])) meta[k] = n[k];
  const md = n.metadata;
  if (isPlainObject(md)) {
    if (meta.timestamp === undefined && isScalar(md.timestamp)) meta.timestamp = md.timestamp;
    if (meta.message_id === undefined && isScalar(md.message_id)) meta.message_id = md.message_id;
  }
  const ctx = isPlainObject(n.ctxt) ? n.ctxt : isPlainObject(n.context) ? n.context : null;
  for (const k of CONTEXT_FIELDS) {
    const v = ctx ? ctx[k] : n[`_context_${k}`];
    if (isScalar(v) && v !== null) meta[k] = v;
  }
  if (meta.project_id === undefined && meta.tenant_id !== undefined) meta.project_id = meta.tenant_id;
  return meta;
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
