import type { EventEnvelope } from '../events/envelope.js';

/** How long a worker keeps hearing a trigger type after its last task stopped waiting for it (ms). */
export const WAITED_TYPE_LINGER_MS = 60_000;

interface Subscription {
  stop(): Promise<void>;
}

export interface WaitedEventsOptions {
  /** The bus: every event of one trigger type as it is published (NatsEventBus.watchEvents). */
  watchEvents(type: string, handle: (e: EventEnvelope) => void): Promise<Subscription>;
  engine: {
    onFirstWait(listener: (trigger: string) => void): void;
    isWaitingFor(trigger: string): boolean;
    deliverEvent(e: EventEnvelope): void;
  };
  lingerMs?: number;
  now?: () => number;
  onError?: (err: unknown, trigger: string) => void;
}

/**
 * A worker node hears from the bus the events its workflows wait for (wait_for), and only those:
 * it subscribes to a trigger type when a task starts waiting for it and drops the subscription
 * once no task has waited for it for WAITED_TYPE_LINGER_MS. Hearing every event instead woke
 * every worker for each event of the cluster. A subscription starts within a round trip to
 * nats-server, well before the device's reaction to the workflow's last action can arrive; an
 * event published before a task waits is not for it, here as in one process.
 */
export class WaitedEvents {
  private readonly subscribed = new Map<string, { sub: Promise<Subscription | null>; lastWanted: number }>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly linger: number;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly o: WaitedEventsOptions) {
    this.linger = o.lingerMs ?? WAITED_TYPE_LINGER_MS;
    this.now = o.now ?? Date.now;
    o.engine.onFirstWait((trigger) => this.want(trigger));
    this.sweeper = setInterval(() => void this.sweep(), Math.max(10, this.linger / 2));
    this.sweeper.unref();
  }

  /** The trigger types heard now. */
  get types(): string[] {
    return [...this.subscribed.keys()].sort();
  }

  private want(trigger: string): void {
    if (this.stopped) return;
    const had = this.subscribed.get(trigger);
    if (had) {
      had.lastWanted = this.now();
      return;
    }
    const sub = this.o
      .watchEvents(trigger, (e) => this.o.engine.deliverEvent(e))
      .catch((err: unknown) => {
        // not heard: the next task to wait for it tries again
        this.subscribed.delete(trigger);
        this.o.onError?.(err, trigger);
        return null;
      });
    this.subscribed.set(trigger, { sub, lastWanted: this.now() });
  }

  /** Drops the types no task has waited for within the linger time. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [trigger, s] of this.subscribed) {
      if (this.o.engine.isWaitingFor(trigger)) s.lastWanted = now;
      else if (now - s.lastWanted >= this.linger) {
        this.subscribed.delete(trigger);
        await (await s.sub)?.stop().catch(() => {});
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    const subs = [...this.subscribed.values()];
    this.subscribed.clear();
    for (const s of subs) await (await s.sub)?.stop().catch(() => {});
  }
}
