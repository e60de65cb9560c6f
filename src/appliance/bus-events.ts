import type { EventEnvelope } from '../events/envelope.js';
import type { PartitionMessage } from '../events/nats-partition-feed.js';
import type { IntakeSettle } from './event-intake.js';
import type { TriggerInstanceRecord } from '../store/records.js';

/** What the bus path needs from the appliance. */
export interface BusEventSink {
  /** The storm-handling intake (coalescing, batched writes, bounded queue). */
  accept(event: EventEnvelope, settle: IntakeSettle): void;
  /** An event recorded already but not decided: decide it. */
  decideRecorded(event: EventEnvelope): void;
  getTriggerInstance(id: string): Promise<TriggerInstanceRecord | null>;
  /** Write what the intake holds (so an event decided at once does not overtake queued ones). */
  flushIntake(): Promise<void>;
}

/**
 * Events of the partitions a rules node owns, into its appliance: through the same intake as its
 * own sensors' events, acked on the bus once decided (recorded with its rule decisions), or at
 * once when the intake is done with it otherwise (a coalesced repeat, a duplicate, shed). An
 * event a previous owner may have had is looked up first: decided already - acked; recorded but
 * not decided - decided without being recorded again; unknown - offered like any other.
 */
export class BusEvents {
  /** Recorded and handed to the rules: acked when the decision is recorded. */
  private readonly deciding = new Map<string, PartitionMessage>();
  /** Messages not yet acked or nacked, per partition (a partition is given away only at 0). */
  private readonly open = new Map<number, number>();

  constructor(private readonly sink: BusEventSink) {}

  handle(m: PartitionMessage): void | Promise<void> {
    if (m.mayBeSeen) return this.lookUpFirst(m);
    this.offer(m);
  }

  /** The appliance recorded an event's decisions (or failed to). */
  decided(eventId: string, ok: boolean): void {
    const m = this.deciding.get(eventId);
    if (!m) return;
    this.deciding.delete(eventId);
    this.finish(m, ok ? 'ack' : 'nak');
  }

  /** Messages of a partition still open here. */
  openIn(partition: number): number {
    return this.open.get(partition) ?? 0;
  }

  /** Resolves once every message of the partition is acked or nacked (or after `ms`). */
  async settled(partition: number, ms = 30_000): Promise<boolean> {
    const end = Date.now() + ms;
    while (this.openIn(partition) > 0) {
      if (Date.now() > end) return false;
      await this.sink.flushIntake();
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  private offer(m: PartitionMessage): void {
    this.track(m);
    this.sink.accept(m.event, (outcome) => {
      if (outcome === 'stored') this.deciding.set(m.event.id, m);
      else this.finish(m, outcome === 'handled' ? 'ack' : 'nak');
    });
  }

  private async lookUpFirst(m: PartitionMessage): Promise<void> {
    if (this.deciding.has(m.event.id)) {
      // redelivered while still being decided here: the decision acks it
      this.deciding.set(m.event.id, m);
      return;
    }
    let rec: TriggerInstanceRecord | null;
    try {
      rec = await this.sink.getTriggerInstance(m.event.id);
    } catch {
      m.nak();
      return;
    }
    if (!rec) return this.offer(m);
    if (rec.status !== 'pending') {
      m.ack();
      return;
    }
    await this.sink.flushIntake();
    this.track(m);
    this.deciding.set(m.event.id, m);
    this.sink.decideRecorded(m.event);
  }

  private track(m: PartitionMessage): void {
    this.open.set(m.partition, this.openIn(m.partition) + 1);
  }

  private finish(m: PartitionMessage, how: 'ack' | 'nak'): void {
    this.open.set(m.partition, Math.max(0, this.openIn(m.partition) - 1));
    if (how === 'ack') m.ack();
    else m.nak();
  }
}
