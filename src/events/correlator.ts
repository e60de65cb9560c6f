import type { EventEnvelope } from './envelope.js';
import type { Occurrences } from './coalescer.js';

/**
 * Cross-source correlation: one link going down is seen by the device's syslog, by a linkDown
 * trap and by the next sFlow counter sample. Their payloads differ (the trap has an ifIndex, the
 * sFlow sample counters, syslog a message), so the coalescer, which folds only identical events,
 * keeps all three - and each would start a workflow. Here events are compared by content:
 *
 *   content key = family (interface, lag_member) + device + port (interface / member)
 *   state       = down | up (from the type)
 *
 * The first event of a key opens an episode. Within `windowMs` of it, an event in the same state:
 *   - from a sensor that already reported it: a repeat (a storm), folded into the first's count;
 *   - from another sensor: a duplicate, stored with `duplicateOf` (the first) and its trace id,
 *     but not shown to the rules.
 * An event in the other state ends the episode and opens its own: a link that flaps down, up, down
 * is three faults, never one, however fast it flaps.
 */

export type LinkState = 'down' | 'up';

export interface StateFamily {
  family: string;
  state: LinkState;
  /** The payload field naming the port. */
  port: string;
}

/** The types compared by content, with their family, state and port field. */
export const STATE_FAMILIES: Readonly<Record<string, StateFamily>> = {
  'network.interface_down': { family: 'interface', state: 'down', port: 'interface' },
  'network.interface_up': { family: 'interface', state: 'up', port: 'interface' },
  'network.lag_member_down': { family: 'lag_member', state: 'down', port: 'member' },
  'network.lag_member_up': { family: 'lag_member', state: 'up', port: 'member' },
};

export type Verdict = { kind: 'new' } | { kind: 'repeat'; of: string } | { kind: 'duplicate'; of: string; traceId: string };

interface Episode {
  id: string;
  traceId: string;
  state: LinkState;
  openedAt: number;
  sources: Set<string>;
  unwritten: number;
  lastTime: string;
}

export class Correlator {
  private readonly episodes = new Map<string, Episode>();
  private closedUnwritten: Occurrences[] = [];
  /** Events recorded as another sensor's view of a fault already stored, since the start. */
  duplicates = 0;
  /** Events folded into an earlier one of the same sensor, since the start. */
  repeats = 0;

  constructor(
    private readonly windowMs: number,
    private readonly families: Readonly<Record<string, StateFamily>> = STATE_FAMILIES,
  ) {}

  /** Whether this type is compared by content here (else the coalescer's business). */
  handles(type: string): boolean {
    return this.windowMs > 0 && this.families[type] !== undefined;
  }

  get size(): number {
    return this.episodes.size;
  }

  private keyOf(event: EventEnvelope): { key: string; f: StateFamily } | null {
    const f = this.families[event.type];
    const port = f ? event.payload[f.port] : undefined;
    if (!f || this.windowMs <= 0 || event.device === null || typeof port !== 'string' || port === '') return null;
    return { key: `${f.family}\u0000${event.device.toLowerCase()}\u0000${port.toLowerCase()}`, f };
  }

  offer(event: EventEnvelope, now: number): Verdict {
    const k = this.keyOf(event);
    if (!k) return { kind: 'new' };
    const { key, f } = k;
    const seen = this.episodes.get(key);
    if (seen && seen.state === f.state && now - seen.openedAt < this.windowMs) {
      seen.lastTime = event.time;
      if (seen.sources.has(event.source)) {
        seen.unwritten++;
        this.repeats++;
        return { kind: 'repeat', of: seen.id };
      }
      seen.sources.add(event.source);
      this.duplicates++;
      return { kind: 'duplicate', of: seen.id, traceId: seen.traceId };
    }
    if (seen && seen.unwritten > 0) this.closedUnwritten.push({ id: seen.id, count: seen.unwritten, lastTime: seen.lastTime });
    this.episodes.set(key, {
      id: event.id,
      traceId: event.traceId,
      state: f.state,
      openedAt: now,
      sources: new Set([event.source]),
      unwritten: 0,
      lastTime: event.time,
    });
    return { kind: 'new' };
  }

  /** An event that opened an episode was lost before it was stored: the episode goes (see Coalescer.withdraw). */
  withdraw(event: EventEnvelope): void {
    const k = this.keyOf(event);
    if (k && this.episodes.get(k.key)?.id === event.id) this.episodes.delete(k.key);
  }

  /** Repeat counts to write since the last call; episodes older than the window are closed. */
  sweep(now: number): Occurrences[] {
    const out = this.closedUnwritten;
    this.closedUnwritten = [];
    for (const [key, e] of this.episodes) {
      if (e.unwritten > 0) {
        out.push({ id: e.id, count: e.unwritten, lastTime: e.lastTime });
        e.unwritten = 0;
      }
      if (now - e.openedAt >= this.windowMs) this.episodes.delete(key);
    }
    return out;
  }
}
