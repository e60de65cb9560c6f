import type { EventEnvelope } from './envelope.js';

/**
 * The event bus between sensors, the rules engine and workflows waiting for an event.
 * Shaped so that NATS JetStream can implement it for the distributed mode:
 * - an event's subject is its trigger type (`network.bgp_peer_state_changed`);
 * - a group is a durable consumer: each group sees every event once, and inside a group
 *   each event goes to one subscriber (a work queue);
 * - delivery is at-least-once with explicit ack; nack or a throwing handler means
 *   redelivery (attempt + 1), up to maxAttempts, then the dead-letter callback.
 * Handlers must therefore be idempotent per event id.
 */

export interface Delivery {
  readonly event: EventEnvelope;
  /** 1 on first delivery, then 2, 3... */
  readonly attempt: number;
  /** Done with this event. Settling twice is ignored; the first answer wins. */
  ack(): void;
  /** Deliver again, after delayMs (default 0). */
  nack(delayMs?: number): void;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void> | void;

export interface SubscribeOptions {
  /**
   * Trigger types this group wants: exact refs, or `pack.*` for every type of a pack.
   * Absent: every type.
   */
  types?: string[];
  /** Deliveries before the event is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Called with the last delivery and the last error (or the reason) when attempts run out. */
  onDeadLetter?: (delivery: Delivery, err: unknown) => void;
}

export interface Subscription {
  /** Stop deliveries; resolves once the handler in progress (if any) has returned. */
  unsubscribe(): Promise<void>;
}

export interface EventBus {
  publish(event: EventEnvelope): Promise<void>;
  subscribe(group: string, handler: DeliveryHandler, opts?: SubscribeOptions): Promise<Subscription>;
  /** Resolves when every delivered event so far is acked (tests, shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** Compile a group's type filter once: exact refs in a set, `pack.*` as prefixes. */
export function typeFilter(types: readonly string[] | undefined): (type: string) => boolean {
  if (!types) return () => true;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const t of types) {
    if (t === '*') return () => true;
    if (t.endsWith('.*')) prefixes.push(t.slice(0, -1));
    else exact.add(t);
  }
  if (prefixes.length === 0) return (type) => exact.has(type);
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}
