import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { EventBus } from '../events/bus.js';
import { Coalescer, DEFAULT_COALESCE_WINDOW_MS } from '../events/coalescer.js';
import { Correlator } from '../events/correlator.js';
import type { EventEnvelope } from '../events/envelope.js';
import { promoteLagMember, type LagOf } from '../events/lag-membership.js';
import type { WriteOp } from '../store/store.js';

/**
 * How the network sensors' events enter the appliance in a storm: coalesced (repeats folded
 * into the first), queued, written to the store a batch at a time (one transaction for up to
 * `batchSize` events instead of one each), then published to the rules. When more arrives than
 * the store and rules take, the queue sheds in a fixed order and counts every loss:
 *   0. an interface event of a declared LAG member becomes the member event (lag-membership.ts),
 *      and link state events are compared by content across sensors (correlator.ts): another
 *      sensor's view of a fault already stored is written as a duplicate of it, not published;
 *   1. repeats are coalesced (always, not only under load);
 *   2. past `shedAt` queued events, generic `network.syslog` of severity notice..debug is dropped;
 *   3. past 3/4 of `maxQueued`, every generic `network.syslog` is dropped;
 *   4. at `maxQueued`, anything is dropped (`overflow`, logged as an error): memory stays bounded.
 * Normalised state changes (interface, neighbour, LAG...) are dropped only in step 4.
 */
export interface IntakeLimits {
  /** Events queued at most (memory bound). Default 100,000. */
  maxQueued: number;
  /** Queue depth from which low-severity generic syslog is shed. Default maxQueued / 4. */
  shedAt: number;
  /** Events per store transaction. Default 500 (a larger batch saves little and holds the API up longer). */
  batchSize: number;
  /** Longest wait before a partial batch is written (ms); 0: at the end of the event-loop turn. Default 2. */
  flushMs: number;
  /** Coalescing window (ms); 0 turns it off. Default 5,000. */
  coalesceWindowMs: number;
}

export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  maxQueued: 100_000,
  shedAt: 25_000,
  batchSize: 500,
  flushMs: 2,
  coalesceWindowMs: DEFAULT_COALESCE_WINDOW_MS,
};

/** Syslog severities shed first under load: notice (5), informational (6), debug (7). */
const LOW_SEVERITY = 5;

export interface IntakeDeps {
  commit(ops: WriteOp[]): Promise<unknown>;
  bus: EventBus;
  /** Ids published and not yet processed (the inbox must not publish them again). */
  inFlight: Set<string>;
  /** A coalesced repeat still reaches the workflows waiting for an event. */
  deliverToWaits(event: EventEnvelope): void;
  /** Throws for a payload its trigger type refuses. */
  validate(event: EventEnvelope): void;
  /** The inventory's LAG of a device's port (interface events of members become member events). */
  lagOf?: LagOf;
  log: Logger;
  now?: () => number;
}

/** What happened to the events offered, since the start (exported in /metrics). */
export interface IntakeCounts {
  offered: number;
  stored: number;
  coalesced: number;
  /** Stored as another sensor's view of a fault already stored (`duplicateOf`), not shown to the rules. */
  duplicates: number;
  /** Dropped under load, by step: low-severity and any generic syslog, then overflow. */
  shed_low_severity_syslog: number;
  shed_syslog: number;
  overflow: number;
  /** Refused by their trigger type's schema, or lost because the store refused the batch. */
  invalid: number;
  store_failed: number;
  queued: number;
  queued_high_water: number;
}

/**
 * What became of an offered event, for an offer that asks (the event bus acks by it):
 * `stored` - recorded as pending and handed to the rules; `handled` - nothing more to do with it
 * (folded into a repeat, stored as a duplicate, shed, refused); `failed` - not recorded (the
 * store refused the batch, the queue was full, the appliance is stopping): offer it again later.
 */
export type IntakeSettle = (outcome: 'stored' | 'handled' | 'failed') => void;

export class EventIntake {
  /** Who hears what became of an event (only events offered with a settle callback). */
  private readonly settles = new Map<EventEnvelope, IntakeSettle>();
  private queue: EventEnvelope[] = [];
  private readonly coalescer: Coalescer;
  private readonly correlator: Correlator;
  private readonly limits: IntakeLimits;
  private readonly now: () => number;
  private readonly lossLog: RateLimitedLog;
  private readonly overflowLog: RateLimitedLog;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private occurrences: WriteOp[] = [];
  /** Duplicates to store (with the next batch): written, never published. */
  private duplicatesDue: Array<EventEnvelope & { duplicateOf: string }> = [];
  private closed = false;
  readonly counts: IntakeCounts = {
    offered: 0,
    stored: 0,
    coalesced: 0,
    duplicates: 0,
    shed_low_severity_syslog: 0,
    shed_syslog: 0,
    overflow: 0,
    invalid: 0,
    store_failed: 0,
    queued: 0,
    queued_high_water: 0,
  };

  constructor(
    private readonly deps: IntakeDeps,
    limits: Partial<IntakeLimits> = {},
  ) {
    const maxQueued = limits.maxQueued ?? DEFAULT_INTAKE_LIMITS.maxQueued;
    this.limits = { ...DEFAULT_INTAKE_LIMITS, shedAt: Math.floor(maxQueued / 4), ...limits };
    this.coalescer = new Coalescer({ windowMs: this.limits.coalesceWindowMs });
    this.correlator = new Correlator(this.limits.coalesceWindowMs);
    this.now = deps.now ?? Date.now;
    this.lossLog = new RateLimitedLog(deps.log, { now: this.now });
    this.overflowLog = new RateLimitedLog({ warn: deps.log.error.bind(deps.log) }, { now: this.now });
    if (this.coalescer.enabled) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(1_000, this.limits.coalesceWindowMs));
      this.sweeper.unref();
    }
  }

  /** Take one event; never throws (a refusal is counted and logged, rate-limited). */
  offer(offered: EventEnvelope, settle?: IntakeSettle): void {
    const c = this.counts;
    c.offered++;
    if (this.closed) return this.lose('overflow', offered, 'the appliance is stopping', settle);
    const event = this.deps.lagOf ? promoteLagMember(offered, this.deps.lagOf) : offered;
    try {
      this.deps.validate(event);
    } catch (e) {
      c.invalid++;
      this.lossLog.warn({ type: event.type, device: event.device, err: describeError(e) }, 'event refused by its trigger type');
      return settle?.('handled');
    }
    if (this.correlator.handles(event.type)) {
      const verdict = this.correlator.offer(event, this.now());
      if (verdict.kind === 'repeat') {
        c.coalesced++;
        this.deps.deliverToWaits(event);
        return settle?.('handled');
      }
      if (verdict.kind === 'duplicate') {
        if (this.duplicatesDue.length >= this.limits.maxQueued) return this.lose('overflow', event, 'event queue full: duplicates dropped', settle);
        c.duplicates++;
        this.deps.deliverToWaits(event);
        const duplicate = { ...event, traceId: verdict.traceId, duplicateOf: verdict.of };
        if (settle) this.settles.set(duplicate, settle);
        this.duplicatesDue.push(duplicate);
        this.schedule();
        return;
      }
    } else if (this.coalescer.offer(event, this.now()) !== null) {
      c.coalesced++;
      this.deps.deliverToWaits(event);
      return settle?.('handled');
    }
    const depth = this.queue.length;
    if (depth >= this.limits.shedAt && event.type === 'network.syslog') {
      if (depth >= (this.limits.maxQueued * 3) / 4) return this.lose('shed_syslog', event, 'queue three-quarters full: generic syslog shed', settle);
      if (severityOf(event) >= LOW_SEVERITY) return this.lose('shed_low_severity_syslog', event, 'queue deep: low-severity generic syslog shed', settle);
    }
    if (depth >= this.limits.maxQueued) return this.lose('overflow', event, 'event queue full: events dropped', settle);
    if (settle) this.settles.set(event, settle);
    this.queue.push(event);
    c.queued = this.queue.length;
    if (c.queued > c.queued_high_water) c.queued_high_water = c.queued;
    this.schedule();
  }

  /** Write what is queued and the pending repeat counts now (shutdown, tests). */
  async flush(): Promise<void> {
    this.sweep();
    while (this.queue.length || this.occurrences.length || this.duplicatesDue.length || this.writing) {
      if (this.writing) await this.writing;
      else await this.write();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }

  private schedule(): void {
    if (this.writing) return; // the write in progress schedules the next
    if (this.queue.length >= this.limits.batchSize || this.limits.flushMs <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        void this.write();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        void this.write();
      }, this.limits.flushMs);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const o of [...this.coalescer.sweep(now), ...this.correlator.sweep(now)])
      this.occurrences.push({ op: 'addTriggerInstanceOccurrences', id: o.id, count: o.count, lastTime: o.lastTime });
    if (this.occurrences.length) this.schedule();
  }

  /** One transaction for a batch of events (and the repeat counts due), then publish them. */
  private write(): Promise<void> {
    if (this.writing) return this.writing;
    const batch = this.queue.length > this.limits.batchSize ? this.queue.splice(0, this.limits.batchSize) : this.queue;
    if (batch === this.queue) this.queue = [];
    this.counts.queued = this.queue.length;
    const ops: WriteOp[] = this.occurrences;
    this.occurrences = [];
    // after the batch's own events: a duplicate's first may be in this very batch
    const duplicates = this.duplicatesDue;
    this.duplicatesDue = [];
    for (const e of batch) {
      this.deps.inFlight.add(e.id);
      ops.push({
        op: 'putTriggerInstance',
        value: { id: e.id, type: e.type, time: e.time, source: e.source, device: e.device, payload: e.payload, traceId: e.traceId, status: 'pending' },
      });
    }
    for (const e of duplicates) {
      ops.push({
        op: 'putTriggerInstance',
        value: {
          id: e.id,
          type: e.type,
          time: e.time,
          source: e.source,
          device: e.device,
          payload: e.payload,
          traceId: e.traceId,
          status: 'processed',
          duplicateOf: e.duplicateOf,
        },
      });
    }
    if (ops.length === 0) return Promise.resolve();
    this.writing = this.deps.commit(ops).then(
      async () => {
        this.counts.stored += batch.length;
        if (this.settles.size) {
          for (const e of duplicates) this.settle(e, 'handled');
          for (const e of batch) this.settle(e, 'stored');
        }
        for (const e of batch) await this.deps.bus.publish(e);
      },
      (err: unknown) => {
        for (const e of batch) this.deps.inFlight.delete(e.id);
        if (this.settles.size) for (const e of [...duplicates, ...batch]) this.settle(e, 'failed');
        this.counts.store_failed += batch.length;
        this.deps.log.error({ events: batch.length, err: describeError(err) }, 'events lost: the store refused the batch');
      },
    );
    return this.writing.finally(() => {
      this.writing = null;
      if (this.queue.length || this.occurrences.length || this.duplicatesDue.length) this.schedule();
    });
  }

  private settle(event: EventEnvelope, outcome: 'stored' | 'handled' | 'failed'): void {
    const s = this.settles.get(event);
    if (!s) return;
    this.settles.delete(event);
    s(outcome);
  }

  private lose(counter: 'shed_low_severity_syslog' | 'shed_syslog' | 'overflow', event: EventEnvelope, msg: string, settle?: IntakeSettle): void {
    this.counts[counter]++;
    // shed on purpose: done with it; no room: the bus offers it again later
    settle?.(counter === 'overflow' ? 'failed' : 'handled');
    // a lost event that opened a window must not collect repeats for a row that will never exist
    this.coalescer.withdraw(event);
    this.correlator.withdraw(event);
    const fields = { type: event.type, device: event.device, queued: this.queue.length, lost: this.counts[counter] };
    (counter === 'overflow' ? this.overflowLog : this.lossLog).warn(fields, msg);
  }
}

function severityOf(event: EventEnvelope): number {
  const s = event.payload.severity;
  if (typeof s === 'number') return s;
  const n = typeof s === 'string' ? SEVERITY_NAMES.indexOf(s.toLowerCase()) : -1;
  return n >= 0 ? n : 7;
}

const SEVERITY_NAMES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];
