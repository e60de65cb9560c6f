/**
 * A sensor node's events on their way to the bus. A sensor cannot make a device send its syslog
 * again, so an event the bus did not take (nats-server restarting, the network between them
 * down) waits here and is sent again until the bus stores it; resending is safe because the bus
 * de-duplicates by content. The outbox is bounded: when it is full the newest event is dropped
 * and counted as lost, never silently.
 *
 * Up to `window` sends are in flight at once (one round trip each); after a failure the outbox
 * pauses `retryMs` and then resends, oldest first.
 */
export interface OutboxOptions {
  /** Events kept while the bus is unreachable (default 100 000). */
  maxBuffered?: number;
  /** Sends in flight at once (default 64). */
  window?: number;
  /** Pause after a failed send before trying again (default 250 ms). */
  retryMs?: number;
}

export interface OutboxCounts {
  /** Sends that failed and were queued again. */
  retries: number;
  /** Events dropped because the outbox was full. */
  lost: number;
}

export class BusOutbox<T> {
  readonly counts: OutboxCounts = { retries: 0, lost: 0 };
  private queue: T[] = [];
  private head = 0;
  private inFlight = 0;
  private paused = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private idle: Array<() => void> = [];
  private readonly max: number;
  private readonly window: number;
  private readonly retryMs: number;

  constructor(
    private readonly send: (item: T) => Promise<void>,
    private readonly onError: (err: unknown, item: T, lost: boolean) => void,
    opts: OutboxOptions = {},
  ) {
    this.max = opts.maxBuffered ?? 100_000;
    this.window = opts.window ?? 64;
    this.retryMs = opts.retryMs ?? 250;
  }

  /** Events waiting (not yet sent, or sent and not yet confirmed). */
  get buffered(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  offer(item: T): void {
    if (this.closed || this.buffered >= this.max) {
      this.counts.lost++;
      this.onError(new Error(this.closed ? 'the node is stopping' : `outbox full (${this.max} events waiting for the bus)`), item, true);
      return;
    }
    this.queue.push(item);
    this.pump();
  }

  private take(): T | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head++];
    // compact now and then rather than shifting on every take
    if (this.head > 4_096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private pump(): void {
    while (!this.paused && this.inFlight < this.window) {
      const item = this.take();
      if (item === undefined) break;
      this.inFlight++;
      this.send(item).then(
        () => this.settled(),
        (err: unknown) => {
          this.counts.retries++;
          // back to the front: it goes again before anything heard after it
          if (this.head > 0) this.queue[--this.head] = item;
          else this.queue.unshift(item);
          this.onError(err, item, false);
          this.pause();
          this.settled();
        },
      );
    }
  }

  private settled(): void {
    this.inFlight--;
    this.pump();
    if (this.buffered === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.retryTimer = setTimeout(() => {
      this.paused = false;
      this.retryTimer = null;
      this.pump();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  /** Resolves once everything offered so far was sent, or after `timeoutMs` (then the rest is counted lost). */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.buffered > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.counts.lost += this.queue.length - this.head;
    this.queue = [];
    this.head = 0;
  }
}
