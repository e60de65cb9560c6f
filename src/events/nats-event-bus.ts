import { createHash } from 'node:crypto';
import {
  jetstream,
  jetstreamManager,
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NrxError } from '../core/errors.js';
import type { EventEnvelope } from './envelope.js';
import { BusOutbox, type OutboxOptions } from './bus-outbox.js';

/**
 * Distributed mode's event bus on NATS JetStream. Sensor nodes publish every event to the
 * stream NETREFLEX_EVENTS (subject nrx.events.<type>.<device>); rules nodes pull them from one
 * durable consumer with explicit acks, so an event is removed only once a rules node has
 * recorded it, and a node that dies before acking leaves it to be redelivered.
 *
 * De-duplication: every event is published with a JetStream message id made from its content
 * (type, device, payload - which carries the device's own timestamp and raw text), not its id or
 * the time a sensor received it. Two sensor nodes that hear the same datagram (one
 * syslog address served by two nodes) publish the same message id; JetStream keeps the first
 * and answers the second `duplicate` within the stream's duplicate window.
 */

export const EVENTS_STREAM = 'NETREFLEX_EVENTS';
export const RULES_CONSUMER = 'rules';
const SUBJECT_ROOT = 'nrx.events';

export interface NatsBusOptions {
  /** How long JetStream remembers message ids for de-duplication (default 2 minutes). */
  duplicateWindowMs?: number;
  /** How long a rules node has to record an event before it is redelivered (default 30 s). */
  ackWaitMs?: number;
  /** A sensor node's outbox: events kept and resent while the bus is unreachable. */
  outbox?: OutboxOptions;
}

export interface NatsBusCounts {
  published: number;
  duplicates: number;
  /** Publish attempts that failed (each event is sent again from the outbox). */
  publishRetries: number;
  /** Events waiting in the outbox. */
  buffered: number;
  /** Events dropped: the outbox was full while the bus was unreachable. */
  lost: number;
  consumed: number;
  redelivered: number;
}

/** A subject token: NATS separates tokens with dots and reserves * and >. */
function token(s: string): string {
  return s.replace(/[.*>\s]/g, '_') || '_';
}

export function eventSubject(e: EventEnvelope): string {
  return `${SUBJECT_ROOT}.${e.type.split('.').map(token).join('.')}.${token(e.device ?? '-')}`;
}

/** The content key two sensor nodes agree on for the same message. */
export function dedupId(e: EventEnvelope): string {
  return createHash('sha256')
    .update(JSON.stringify([e.type, e.device, e.source.split(':')[0], e.payload]))
    .digest('base64url');
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export class NatsEventBus {
  private readonly tally = { published: 0, duplicates: 0, consumed: 0, redelivered: 0 };
  private stopped = false;
  private consuming: Promise<void> | null = null;
  private stopConsume: (() => void) | null = null;
  private readonly outbox: BusOutbox<EventEnvelope>;
  private outboxErrors: (err: unknown, lost: boolean) => void = () => {};

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly url: string,
    outbox: OutboxOptions = {},
  ) {
    this.outbox = new BusOutbox(
      (e) => this.publish(e),
      (err, _e, lost) => this.outboxErrors(err, lost),
      outbox,
    );
  }

  get counts(): NatsBusCounts {
    return { ...this.tally, publishRetries: this.outbox.counts.retries, buffered: this.outbox.buffered, lost: this.outbox.counts.lost };
  }

  /** Where the outbox reports a failed send (`lost` false: it is sent again) or a dropped event. */
  onOutboxError(report: (err: unknown, lost: boolean) => void): void {
    this.outboxErrors = report;
  }

  /** A sensor's event: sent now, or kept and sent again until the bus takes it (never throws). */
  offer(e: EventEnvelope): void {
    this.outbox.offer(e);
  }

  /** The rules consumer's backlog: events not yet handed out, and handed out but not yet acked. */
  async lag(): Promise<{ stream: string; consumer: string; pending: number; ackPending: number; redelivered: number }> {
    const ci = await this.jsm.consumers.info(EVENTS_STREAM, RULES_CONSUMER);
    return { stream: EVENTS_STREAM, consumer: RULES_CONSUMER, pending: ci.num_pending, ackPending: ci.num_ack_pending, redelivered: ci.num_redelivered };
  }

  /** Connects and makes sure the stream and the rules consumer exist (creating them is idempotent across nodes). */
  static async connect(url: string, opts: NatsBusOptions = {}): Promise<NatsEventBus> {
    let nc: NatsConnection;
    try {
      const u = new URL(url);
      if (u.protocol !== 'nats:') throw new Error('expected nats://host:port');
      nc = await connect({
        servers: `${u.hostname}:${u.port || 4222}`,
        ...(u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {}),
        name: 'netreflex',
        maxReconnectAttempts: -1,
      });
    } catch (e) {
      throw new NrxError('NRX_ERR_BUS', `--bus ${redact(url)}: cannot connect: ${(e as Error).message}`, { cause: e });
    }
    try {
      const jsm = await jetstreamManager(nc);
      const stream = {
        name: EVENTS_STREAM,
        subjects: [`${SUBJECT_ROOT}.>`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: (opts.duplicateWindowMs ?? 120_000) * 1_000_000,
      };
      try {
        await jsm.streams.info(EVENTS_STREAM);
        await jsm.streams.update(EVENTS_STREAM, { duplicate_window: stream.duplicate_window });
      } catch {
        await jsm.streams.add(stream);
      }
      try {
        await jsm.consumers.info(EVENTS_STREAM, RULES_CONSUMER);
      } catch {
        await jsm.consumers.add(EVENTS_STREAM, {
          durable_name: RULES_CONSUMER,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: (opts.ackWaitMs ?? 30_000) * 1_000_000,
          max_ack_pending: 1_000,
        });
      }
      return new NatsEventBus(nc, jetstream(nc), jsm, redact(url), opts.outbox);
    } catch (e) {
      await nc.close().catch(() => {});
      throw new NrxError('NRX_ERR_BUS', `--bus ${redact(url)}: JetStream not usable (is nats-server started with -js?): ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** Publishes one event; resolves once JetStream stored it (or recognised it as a duplicate). */
  async publish(e: EventEnvelope): Promise<void> {
    try {
      const ack = await this.js.publish(eventSubject(e), JSON.stringify(e), { msgID: dedupId(e) });
      if (ack.duplicate) this.tally.duplicates++;
      else this.tally.published++;
    } catch (err) {
      throw new NrxError('NRX_ERR_BUS', `bus ${this.url}: cannot publish ${e.type}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Hands every event to `record` one at a time, in stream order; acks it once `record`
   * resolved. A `record` that throws leaves the event unacked: it comes back after ack_wait.
   * When the pull itself fails (nats-server restarting, the consumer not reachable yet) the
   * loop waits and pulls again: a rules node goes on consuming once the bus is back.
   */
  consume(record: (e: EventEnvelope) => Promise<void>, onError: (e: unknown) => void): void {
    if (this.consuming) throw new NrxError('NRX_ERR_INTERNAL', 'bus: already consuming');
    this.consuming = (async () => {
      while (!this.stopped) {
        try {
          const consumer = await this.js.consumers.get(EVENTS_STREAM, RULES_CONSUMER);
          const messages = await consumer.consume({ max_messages: 256 });
          this.stopConsume = () => void messages.stop();
          for await (const m of messages) {
            if (m.info.deliveryCount > 1) this.tally.redelivered++;
            try {
              await record(JSON.parse(m.string()) as EventEnvelope);
              m.ack();
              this.tally.consumed++;
            } catch (err) {
              onError(err);
              m.nak(1_000);
            }
            if (this.stopped) break;
          }
        } catch (err) {
          if (this.stopped) break;
          onError(new NrxError('NRX_ERR_BUS', `bus ${this.url}: taking events failed, trying again in 1 s: ${(err as Error).message}`, { cause: err }));
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.outbox.close();
    this.stopConsume?.();
    await this.consuming?.catch(() => {});
    await this.nc.drain().catch(() => {});
  }
}
