import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { EventEnvelope } from './envelope.js';
import { EventReader } from './nats-event-reader.js';

/** Partition N's durable consumer is `rules-p<N>`. */
export const PARTITION_CONSUMER_PREFIX = 'rules-p';
const STREAM = 'NETREFLEX_EVENTS';

/** One event of a partition, as its owner sees it. */
export interface PartitionMessage {
  readonly event: EventEnvelope;
  readonly partition: number;
  /**
   * A previous owner may have had it (redelivered, or in the stream before this node took the
   * partition): it may already be recorded or decided, so check the store before recording it.
   */
  readonly mayBeSeen: boolean;
  /** Decided: JetStream removes it. */
  ack(): void;
  /** Not decided: deliver it again after `delayMs`. */
  nak(delayMs?: number): void;
}

/** Called once per message, in stream order; a promise holds the next message back until it settles. */
export type PartitionHandler = (m: PartitionMessage) => void | Promise<void>;

/**
 * One partition read by the rules node that owns it. Taking a partition replaces its durable
 * consumer with a fresh one that starts at the first event still in the stream: the stream keeps
 * events until they are acked (work-queue retention), so the new owner gets everything the
 * previous owner did not finish, at once and in order, instead of after the previous owner's
 * ack wait ran out. Messages a previous owner may have seen come marked (`mayBeSeen`).
 */
export class PartitionFeed {
  private constructor(
    readonly partition: number,
    private readonly reader: EventReader,
  ) {}

  /** Settles when the feed has stopped reading. */
  get closed(): Promise<void> {
    return this.reader.closed;
  }

  static async open(
    js: JetStreamClient,
    jsm: JetStreamManager,
    partition: number,
    opts: { ackWaitMs: number; counts: { consumed: number; redelivered: number } },
    handle: PartitionHandler,
    onError: (e: unknown) => void,
  ): Promise<PartitionFeed> {
    const name = `${PARTITION_CONSUMER_PREFIX}${partition}`;
    await jsm.consumers.delete(STREAM, name).catch(() => false);
    const seenUpTo = (await jsm.streams.info(STREAM)).state.last_seq;
    await jsm.consumers.add(STREAM, {
      durable_name: name,
      filter_subject: `nrx.events.${partition}.>`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: opts.ackWaitMs * 1_000_000,
      max_ack_pending: 20_000,
    });
    const consumer = await js.consumers.get(STREAM, name);
    const reader = new EventReader(
      consumer,
      512,
      (event, m) => {
        const redelivered = m.info.deliveryCount > 1;
        if (redelivered) opts.counts.redelivered++;
        return handle({
          event,
          partition,
          // a message up to seenUpTo may have gone to a previous owner
          mayBeSeen: redelivered || m.seq <= seenUpTo,
          ack: () => {
            opts.counts.consumed++;
            m.ack();
          },
          nak: (delayMs = 1_000) => m.nak(delayMs),
        });
      },
      onError,
    );
    return new PartitionFeed(partition, reader);
  }

  /** Stop reading; messages read ahead and not handed out come back to the next owner. */
  async stop(): Promise<void> {
    await this.reader.stop();
  }
}
