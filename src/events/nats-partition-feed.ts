import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { EventEnvelope } from './envelope.js';

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
  private stopped = false;
  private messages: ConsumerMessages | null = null;
  private resolveClosed!: () => void;
  /** Settles when the feed has stopped reading. */
  readonly closed = new Promise<void>((r) => (this.resolveClosed = r));

  private constructor(
    readonly partition: number,
    /** Stream sequence up to which a message may have gone to a previous owner. */
    private readonly seenUpTo: number,
  ) {}

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
    const feed = new PartitionFeed(partition, seenUpTo);
    void (async () => {
      while (!feed.stopped) {
        try {
          const messages = await consumer.consume({ max_messages: 512 });
          feed.messages = messages;
          if (feed.stopped) messages.stop();
          for await (const m of messages) {
            if (feed.stopped) break;
            let event: EventEnvelope;
            try {
              event = JSON.parse(m.string()) as EventEnvelope;
            } catch (e) {
              onError(e);
              m.term(); // not an event: it would never parse
              continue;
            }
            const redelivered = m.info.deliveryCount > 1;
            if (redelivered) opts.counts.redelivered++;
            const r = handle({
              event,
              partition,
              mayBeSeen: redelivered || m.seq <= feed.seenUpTo,
              ack: () => {
                opts.counts.consumed++;
                m.ack();
              },
              nak: (delayMs = 1_000) => m.nak(delayMs),
            });
            if (r) await r;
          }
        } catch (e) {
          if (feed.stopped) break;
          onError(e);
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    })().finally(() => feed.resolveClosed());
    return feed;
  }

  /** Stop reading; messages read ahead and not handed out come back to the next owner. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.closed;
  }
}
