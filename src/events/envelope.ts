import { newId } from '../core/ids.js';

/**
 * The one shape every event has on the bus and in the store (a StackStorm trigger
 * instance with network context). `payload` is what rules call `trigger`.
 */
export interface EventEnvelope {
  id: string;
  /** Trigger type reference, `pack.name`, e.g. `network.bgp_peer_state_changed`. */
  type: string;
  /** ISO-8601 time the event happened (or was received). */
  time: string;
  /** Who produced it: `sensor:syslog`, `cli`, `api`, `timer:...`. */
  source: string;
  /** Inventory device name when the event is attributable to one. */
  device: string | null;
  payload: Record<string, unknown>;
  /** Carried to every execution the event causes. */
  traceId: string;
}

export function makeEvent(
  type: string,
  payload: Record<string, unknown>,
  opts: { source?: string; device?: string | null; time?: string; traceId?: string; id?: string } = {},
): EventEnvelope {
  const id = opts.id ?? newId();
  const device = opts.device !== undefined ? opts.device : typeof payload.device === 'string' ? payload.device : null;
  return {
    id,
    type,
    time: opts.time ?? new Date().toISOString(),
    source: opts.source ?? 'unknown',
    device,
    payload,
    traceId: opts.traceId ?? id,
  };
}
