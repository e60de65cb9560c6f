import { BGP_STATES } from '../../events/builtin-triggers.js';
import type { TriggerRegistry, TriggerTypeSpec } from '../../events/trigger-registry.js';
import type { Change } from './change-detector.js';
import { POLL_CHANGED, type EventMapping, type PollerDefinition } from './definition.js';

/**
 * Changes -> events. Pure. A change of the mapped field becomes the shipped trigger type a rule
 * on syslog or traps already listens to (a BGP peer's state, an interface's oper status), so a
 * device that cannot push still fires the same rules; every other change is network.poll_changed.
 */

export const POLLER_TRIGGER_TYPES: readonly TriggerTypeSpec[] = [
  {
    ref: POLL_CHANGED,
    description: "a polled value changed on a device (a poller from a pack's pollers/*.yaml); one event per changed field, or per item added or removed",
    payloadSchema: {
      type: 'object',
      required: ['poller', 'device', 'change', 'key'],
      additionalProperties: true,
      properties: {
        poller: { type: 'string', description: 'the poller, pack.name' },
        device: { type: 'string', description: 'inventory device name' },
        platform: { type: 'string' },
        change: { enum: ['changed', 'added', 'removed'] },
        key: { type: 'string', description: "the item's key fields joined with '|' ('' for one-object readings)" },
        field: { type: ['string', 'null'], description: 'the field that changed; null when an item was added or removed' },
        previous: { description: 'the value before (the whole item when removed; null when added)' },
        value: { description: 'the value now (the whole item when added; null when removed)' },
      },
    },
  },
];

export function registerPollerTriggers(registry: TriggerRegistry): void {
  for (const spec of POLLER_TRIGGER_TYPES) registry.register(spec);
}

export interface PollEvent {
  type: string;
  payload: Record<string, unknown>;
}

const isBgpState = (v: unknown): v is string => typeof v === 'string' && (BGP_STATES as readonly string[]).includes(v);
/** Operational state as up/down: a boolean (getter operUp) or ifOperStatus, where anything but `up` is down. */
const isUp = (v: unknown): boolean => v === true || v === 'up' || v === 1;

function bgpEvent(
  def: PollerDefinition,
  m: Extract<EventMapping, { kind: 'bgp' }>,
  base: Record<string, unknown>,
  item: Record<string, unknown>,
  previousState: unknown,
): PollEvent | null {
  const state = item[m.stateField];
  if (!isBgpState(state) || (previousState !== null && !isBgpState(previousState))) return null;
  const peerAs = m.asField ? item[m.asField] : undefined;
  const vrf = m.vrfField ? item[m.vrfField] : undefined;
  return {
    type: 'network.bgp_peer_state_changed',
    payload: {
      ...base,
      peer: String(item[m.peerField]),
      state,
      previous_state: previousState,
      ...(typeof peerAs === 'number' || typeof peerAs === 'string' ? { peer_as: peerAs } : {}),
      ...(typeof vrf === 'string' ? { vrf } : {}),
      ...(typeof item.adminDown === 'boolean' ? { admin_down: item.adminDown } : {}),
      message: `poller ${def.ref}: BGP peer ${String(item[m.peerField])} ${previousState ?? '(new)'} -> ${state}`,
    },
  };
}

function interfaceEvent(
  def: PollerDefinition,
  m: Extract<EventMapping, { kind: 'interface' }>,
  base: Record<string, unknown>,
  item: Record<string, unknown>,
  previous: unknown,
): PollEvent {
  const name = (m.nameField ? item[m.nameField] : undefined) ?? item.index;
  const up = isUp(item[m.operField]);
  return {
    type: up ? 'network.interface_up' : 'network.interface_down',
    payload: {
      ...base,
      interface: String(name),
      oper_status: item[m.operField],
      previous_oper_status: previous,
      ...(typeof item.index === 'string' ? { ifIndex: Number(item.index) } : {}),
      ...(typeof item.adminUp === 'boolean' ? { admin_up: item.adminUp } : {}),
      ...(typeof item.description === 'string' && item.description ? { description: item.description } : {}),
      message: `poller ${def.ref}: interface ${String(name)} ${up ? 'up' : 'down'}`,
    },
  };
}

function genericEvent(def: PollerDefinition, base: Record<string, unknown>, c: Change): PollEvent {
  const payload: Record<string, unknown> = { ...base, change: c.kind, key: c.key };
  if (c.kind === 'changed') Object.assign(payload, { field: c.field, previous: c.previous, value: c.value });
  else if (c.kind === 'added') Object.assign(payload, { field: null, previous: null, value: c.item });
  else Object.assign(payload, { field: null, previous: c.previousItem, value: null });
  payload.message = `poller ${def.ref}: ${c.key || 'value'} ${c.kind === 'changed' ? `${c.field} changed` : c.kind}`;
  return { type: POLL_CHANGED, payload };
}

/** Exactly one event per change, in the order of the changes. */
export function eventsForChanges(def: PollerDefinition, device: string, platform: string | null, changes: readonly Change[]): PollEvent[] {
  const base: Record<string, unknown> = { device, ...(platform ? { platform } : {}), poller: def.ref };
  const m = def.mapping;
  return changes.map((c) => {
    let mapped: PollEvent | null = null;
    if (m.kind === 'bgp') {
      if (c.kind === 'changed' && c.field === m.stateField) mapped = bgpEvent(def, m, base, c.item, c.previous);
      else if (c.kind === 'added') mapped = bgpEvent(def, m, base, c.item, null);
    } else if (m.kind === 'interface') {
      // ifOperStatus down -> lowerLayerDown is still down: not an interface_down again
      if (c.kind === 'changed' && c.field === m.operField && isUp(c.previous) !== isUp(c.value)) mapped = interfaceEvent(def, m, base, c.item, c.previous);
      else if (c.kind === 'added') mapped = interfaceEvent(def, m, base, c.item, null);
    }
    return mapped ?? genericEvent(def, base, c);
  });
}
