import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { EventEnvelope } from './envelope.js';
import { EventReader } from './nats-event-reader.js';

/**
 * The chat bot's own queue on JetStream: a copy of every announcement to post, kept until the
 * bot that runs has posted it. It is a stream of its own because the events stream cannot give
 * the bot a consumer: its work-queue retention removes an event once a rules node acks it, and
 * a second consumer on its subjects is refused (and would take events from the rules nodes).
 */
export const CHAT_STREAM = 'NETREFLEX_CHAT';
/** The one consumer, read by the API node that runs the chat bot. */
export const CHAT_CONSUMER = 'chat-bot';
export const CHAT_SUBJECT = 'nrx.chat.announcement';
/** What nobody posted for a day is of no use to anyone: the stream drops it. */
const KEPT_MS = 24 * 3_600_000;
/** How long the bot has to post one before JetStream hands it out again (it says it is still at it meanwhile). */
const ACK_WAIT_MS = 30_000;

/** Creates the stream when it is missing (idempotent across nodes). */
export async function ensureChatStream(jsm: JetStreamManager, duplicateWindowMs: number): Promise<void> {
  try {
    await jsm.streams.info(CHAT_STREAM);
    return;
  } catch {
    // not there yet
  }
  await jsm.streams
    .add({
      name: CHAT_STREAM,
      description: 'netreflex announcements for the chat bot',
      subjects: [CHAT_SUBJECT],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: KEPT_MS * 1_000_000,
      duplicate_window: duplicateWindowMs * 1_000_000,
    })
    .catch(async (e: unknown) => {
      // another node made it at the same moment
      await jsm.streams.info(CHAT_STREAM).catch(() => Promise.reject(e));
    });
}

/** One announcement waiting to be posted. */
export interface QueuedAnnouncement {
  readonly event: EventEnvelope;
  /** When it was queued (the stream's clock), ms since the epoch. */
  readonly queuedAt: number;
  /** Announcements queued after this one and not yet handed out. */
  readonly behind: number;
  /** Posted (or given up for good): JetStream removes it; resolves once the server has it. */
  ack(): Promise<void>;
  /** Still trying to post it: not handed out again meanwhile. */
  working(): void;
}

/**
 * The chat queue as the running bot reads it: one announcement at a time, in the order they
 * were made; the next comes once the handler's promise settles. Opening it replaces the durable
 * consumer with a fresh one, so what a bot that died had taken and not acked comes back at once
 * (the stream keeps everything not acked), not after its ack wait.
 */
export class ChatQueueFeed {
  private constructor(private readonly reader: EventReader) {}

  /** Settles when the feed has stopped reading. */
  get closed(): Promise<void> {
    return this.reader.closed;
  }

  static async open(
    js: JetStreamClient,
    jsm: JetStreamManager,
    handle: (a: QueuedAnnouncement) => Promise<void>,
    onError: (e: unknown) => void,
  ): Promise<ChatQueueFeed> {
    await jsm.consumers.delete(CHAT_STREAM, CHAT_CONSUMER).catch(() => false);
    await jsm.consumers.add(CHAT_STREAM, {
      durable_name: CHAT_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ACK_WAIT_MS * 1_000_000,
      // one at a time: a redelivered announcement is never overtaken by a later one
      max_ack_pending: 1,
    });
    const consumer = await js.consumers.get(CHAT_STREAM, CHAT_CONSUMER);
    const reader = new EventReader(
      consumer,
      1,
      (event, m) =>
        handle({
          event,
          queuedAt: m.time.getTime(),
          behind: m.info.pending,
          ack: async () => void (await m.ackAck()),
          working: () => m.working(),
        }),
      onError,
    );
    return new ChatQueueFeed(reader);
  }

  /** Stop reading; what was handed out and not acked stays for the next bot. */
  async stop(): Promise<void> {
    await this.reader.stop();
  }
}
