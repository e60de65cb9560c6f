import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { EventEnvelope } from './envelope.js';

/** Called once per event read, in stream order; a promise holds the next message back until it settles. */
export type EventMessageHandler = (event: EventEnvelope, m: JsMsg) => void | Promise<void>;

/**
 * Reads a durable consumer's messages as events until stopped: a message that is not an event
 * is terminated (it would never parse), and a read that fails (nats-server restarting) is taken
 * up again after a second. What was read ahead and not handed out stays with JetStream.
 */
export class EventReader {
  private stopped = false;
  private messages: ConsumerMessages | null = null;
  /** Settles when the reader has stopped reading. */
  readonly closed: Promise<void>;

  constructor(consumer: Consumer, maxMessages: number, handle: EventMessageHandler, onError: (e: unknown) => void) {
    this.closed = this.read(consumer, maxMessages, handle, onError);
  }

  private async read(consumer: Consumer, maxMessages: number, handle: EventMessageHandler, onError: (e: unknown) => void): Promise<void> {
    while (!this.stopped) {
      try {
        const messages = await consumer.consume({ max_messages: maxMessages });
        this.messages = messages;
        if (this.stopped) messages.stop();
        for await (const m of messages) {
          if (this.stopped) break;
          let event: EventEnvelope;
          try {
            event = JSON.parse(m.string()) as EventEnvelope;
          } catch (e) {
            onError(e);
            m.term();
            continue;
          }
          const r = handle(event, m);
          if (r) await r;
        }
      } catch (e) {
        if (this.stopped) break;
        onError(e);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** Stop reading; resolves once the message in hand (if any) is handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.closed;
  }
}
