import { NrxError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { DEFAULT_MAX_ATTEMPTS, typeFilter, type Delivery, type DeliveryHandler, type EventBus, type SubscribeOptions, type Subscription } from './bus.js';
import type { EventEnvelope } from './envelope.js';

/** Events handled in one go before the pump yields to I/O (timers, sockets). */
const PUMP_BATCH = 2048;

const PENDING = 0;
const ACKED = 1;
const NACKED = 2;

class MemoryDelivery implements Delivery {
  state = PENDING;
  delayMs = 0;
  constructor(
    readonly event: EventEnvelope,
    readonly attempt: number,
  ) {}
  ack(): void {
    if (this.state === PENDING) this.state = ACKED;
  }
  nack(delayMs = 0): void {
    if (this.state !== PENDING) return;
    this.state = NACKED;
    this.delayMs = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
  }
}

interface Queued {
  event: EventEnvelope;
  attempt: number;
}

/** One durable consumer: a FIFO of (event, attempt) and the one handler that works it. */
interface Group {
  name: string;
  handler: DeliveryHandler;
  wants: (type: string) => boolean;
  maxAttempts: number;
  onDeadLetter: SubscribeOptions['onDeadLetter'];
  queue: (Queued | undefined)[];
  head: number;
  /** A pump is scheduled, running, or waiting on an async handler. */
  active: boolean;
  /** The async handler in progress, for unsubscribe to wait on. */
  current: Promise<void> | null;
  retryTimers: Set<NodeJS.Timeout>;
  stopped: boolean;
  pump: () => void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The in-process bus for the single-process appliance. Each group handles its events one at a
 * time in publish order; a redelivery goes to the front of the group's queue (after its delay),
 * so a retried event is handled before later ones whenever it is due. Events published while
 * no group wants them are dropped: subscribe before sensors start.
 */
export class MemoryBus implements EventBus {
  private readonly groups = new Map<string, Group>();
  /** (event, group) pairs not yet acked or dead-lettered, including those waiting to retry. */
  private outstanding = 0;
  private drainWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: { logger?: Logger } = {}) {}

  publish(event: EventEnvelope): Promise<void> {
    if (this.closed) return Promise.reject(new NrxError('NRX_ERR_BUS', `event bus is closed; event ${event.id} (${event.type}) not published`));
    for (const g of this.groups.values()) {
      if (!g.wants(event.type)) continue;
      g.queue.push({ event, attempt: 1 });
      this.outstanding++;
      this.wake(g, false);
    }
    return RESOLVED;
  }

  async subscribe(group: string, handler: DeliveryHandler, opts: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new NrxError('NRX_ERR_BUS', `event bus is closed; cannot subscribe group '${group}'`);
    if (this.groups.has(group)) throw new NrxError('NRX_ERR_BUS', `group '${group}' already has a subscriber in this process`);
    const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new NrxError('NRX_ERR_BUS', `group '${group}': maxAttempts must be a whole number >= 1, got ${maxAttempts}`);
    const g: Group = {
      name: group,
      handler,
      wants: typeFilter(opts.types),
      maxAttempts,
      onDeadLetter: opts.onDeadLetter,
      queue: [],
      head: 0,
      active: false,
      current: null,
      retryTimers: new Set(),
      stopped: false,
      pump: () => this.pump(g),
    };
    this.groups.set(group, g);
    return { unsubscribe: () => this.stop(g) };
  }

  drain(): Promise<void> {
    if (this.outstanding === 0) return RESOLVED;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.groups.values()].map((g) => this.stop(g)));
  }

  private async stop(g: Group): Promise<void> {
    if (g.stopped) return;
    g.stopped = true;
    if (this.groups.get(g.name) === g) this.groups.delete(g.name);
    for (const t of g.retryTimers) clearTimeout(t);
    const dropped = g.retryTimers.size + (g.queue.length - g.head);
    g.retryTimers.clear();
    g.queue = [];
    g.head = 0;
    this.finished(dropped);
    if (g.current) await g.current;
  }

  private wake(g: Group, fromTimer: boolean): void {
    if (g.active) return;
    g.active = true;
    if (fromTimer) g.pump();
    else queueMicrotask(g.pump);
  }

  /**
   * Work the queue. Synchronous handlers run in a tight loop (no promise per event); an async
   * handler suspends the loop until its promise settles, which keeps one event in flight.
   */
  private pump(g: Group): void {
    let handled = 0;
    while (!g.stopped && g.head < g.queue.length) {
      if (handled++ === PUMP_BATCH) {
        setImmediate(g.pump);
        return;
      }
      const item = g.queue[g.head]!;
      g.queue[g.head++] = undefined;
      if (g.head > 1024 && g.head * 2 > g.queue.length) {
        g.queue = g.queue.slice(g.head);
        g.head = 0;
      }
      const d = new MemoryDelivery(item.event, item.attempt);
      let result: Promise<void> | void;
      try {
        result = g.handler(d);
      } catch (e) {
        this.settle(g, d, e, true);
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        g.current = (result as Promise<void>).then(
          () => this.resume(g, d, undefined, false),
          (e: unknown) => this.resume(g, d, e, true),
        );
        return;
      }
      this.settle(g, d, undefined, false);
    }
    g.active = false;
  }

  private resume(g: Group, d: MemoryDelivery, err: unknown, threw: boolean): void {
    g.current = null;
    this.settle(g, d, err, threw);
    this.pump(g);
  }

  private settle(g: Group, d: MemoryDelivery, err: unknown, threw: boolean): void {
    if (d.state === ACKED || (d.state === PENDING && !threw) || g.stopped) {
      // Acked, auto-acked (returned without an answer), or the group is gone.
      this.finished(1);
      return;
    }
    if (d.attempt >= g.maxAttempts) {
      const reason = threw ? err : new NrxError('NRX_ERR_BUS', `event ${d.event.id} (${d.event.type}) nacked ${d.attempt} times by group '${g.name}'`);
      this.deadLetter(g, d, reason);
      this.finished(1);
      return;
    }
    const retry: Queued = { event: d.event, attempt: d.attempt + 1 };
    const delay = d.state === NACKED ? d.delayMs : 0;
    if (delay === 0) {
      this.requeueFront(g, retry);
      return;
    }
    const timer = setTimeout(() => {
      g.retryTimers.delete(timer);
      this.requeueFront(g, retry);
      this.wake(g, true);
    }, delay);
    g.retryTimers.add(timer);
  }

  private requeueFront(g: Group, item: Queued): void {
    if (g.head > 0) g.queue[--g.head] = item;
    else g.queue.unshift(item);
  }

  private deadLetter(g: Group, d: Delivery, reason: unknown): void {
    this.opts.logger?.warn({ group: g.name, eventId: d.event.id, type: d.event.type, attempts: d.attempt, err: reason }, 'event dead-lettered');
    if (!g.onDeadLetter) return;
    try {
      g.onDeadLetter(d, reason);
    } catch (e) {
      this.opts.logger?.error({ group: g.name, eventId: d.event.id, err: e }, 'dead-letter callback failed');
    }
  }

  private finished(n: number): void {
    if (n === 0) return;
    this.outstanding -= n;
    if (this.outstanding === 0 && this.drainWaiters.length) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}
