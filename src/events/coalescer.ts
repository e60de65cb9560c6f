import type { EventEnvelope } from './envelope.js';

/**
 * Storm coalescing: in a storm one flapping interface or peer sends the same message again and
 * again. An event identical to one seen within the window (same type, device and key fields,
 * state included) is folded into the first: the first is stored and reaches the rules at once,
 * the repeats only add to its count and last time. A repeat still reaches the workflows waiting
 * for an event (see EventIntake), so a remediation watching for a state never misses it.
 */

/** The fields that make two events of a type "the same" besides type and device. */
export const DEFAULT_COALESCE_KEYS: Readonly<Record<string, readonly string[]>> = {
  'network.interface_down': ['interface'],
  'network.interface_up': ['interface'],
  'network.lag_member_down': ['lag', 'member'],
  'network.lag_member_up': ['lag', 'member'],
  'network.bgp_peer_state_changed': ['vrf', 'peer', 'previous_state', 'state'],
  'network.bfd_state_changed': ['vrf', 'peer', 'interface', 'previous_state', 'state'],
  'network.ospf_neighbor_down': ['neighbor', 'interface'],
  'network.ospf_neighbor_up': ['neighbor', 'interface'],
  'network.ospf_neighbor_state_changed': ['neighbor', 'interface', 'previous_state', 'state'],
  'network.isis_neighbor_down': ['neighbor', 'interface', 'level'],
  'network.isis_neighbor_up': ['neighbor', 'interface', 'level'],
  'network.isis_neighbor_state_changed': ['neighbor', 'interface', 'level', 'state'],
};

export const DEFAULT_COALESCE_WINDOW_MS = 5_000;

export interface CoalesceOptions {
  /** 0 turns coalescing off. */
  windowMs: number;
  keys?: Readonly<Record<string, readonly string[]>>;
}

interface Open {
  id: string;
  openedAt: number;
  /** Repeats folded in and not yet written to the store. */
  unwritten: number;
  lastTime: string;
}

/** A repeat count to add to a stored event. */
export interface Occurrences {
  id: string;
  count: number;
  lastTime: string;
}

export class Coalescer {
  private readonly windowMs: number;
  private readonly keys: Readonly<Record<string, readonly string[]>>;
  private readonly open = new Map<string, Open>();
  /** Repeats of windows replaced by a new one before a sweep wrote them. */
  private closedUnwritten: Occurrences[] = [];
  /** Events folded into an earlier one since the start. */
  coalesced = 0;

  constructor(opts: CoalesceOptions) {
    this.windowMs = opts.windowMs;
    this.keys = opts.keys ?? DEFAULT_COALESCE_KEYS;
  }

  get enabled(): boolean {
    return this.windowMs > 0;
  }

  /** Keys of events whose window is open (memory is bounded by the distinct events in one window). */
  get size(): number {
    return this.open.size;
  }

  /** The id of the stored event this one repeats, or null when it is new (then it opens a window). */
  offer(event: EventEnvelope, now: number): string | null {
    if (this.windowMs <= 0) return null;
    const fields = this.keys[event.type];
    if (!fields || event.device === null) return null;
    const key = coalesceKey(event, fields);
    const seen = this.open.get(key);
    if (seen && now - seen.openedAt < this.windowMs) {
      seen.unwritten++;
      seen.lastTime = event.time;
      this.coalesced++;
      return seen.id;
    }
    if (seen && seen.unwritten > 0) this.closedUnwritten.push({ id: seen.id, count: seen.unwritten, lastTime: seen.lastTime });
    this.open.set(key, { id: event.id, openedAt: now, unwritten: 0, lastTime: event.time });
    return null;
  }

  /**
   * An event that opened a window was lost before it was stored (shed, queue full): its window
   * goes, so that a repeat is not counted on a row that will never exist but opens a window anew.
   */
  withdraw(event: EventEnvelope): void {
    const fields = this.keys[event.type];
    if (!fields || event.device === null) return;
    const key = coalesceKey(event, fields);
    if (this.open.get(key)?.id === event.id) this.open.delete(key);
  }

  /**
   * The repeats to write to the store since the last call; windows older than the window are
   * closed. Call every second or so: a stored event's count lags its repeats by at most that.
   */
  sweep(now: number): Occurrences[] {
    const out = this.closedUnwritten;
    this.closedUnwritten = [];
    for (const [key, o] of this.open) {
      if (o.unwritten > 0) {
        out.push({ id: o.id, count: o.unwritten, lastTime: o.lastTime });
        o.unwritten = 0;
      }
      if (now - o.openedAt >= this.windowMs) this.open.delete(key);
    }
    return out;
  }
}

function coalesceKey(event: EventEnvelope, fields: readonly string[]): string {
  let key = `${event.type}\u0000${event.device}`;
  const p = event.payload;
  for (const f of fields) {
    const v = p[f];
    key += `\u0000${v === undefined || v === null ? '' : typeof v === 'string' ? v.toLowerCase() : String(v)}`;
  }
  return key;
}
