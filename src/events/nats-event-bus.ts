import { createHash } from 'node:crypto';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NrxError } from '../core/errors.js';
import type { EventEnvelope } from './envelope.js';
import { PARTITION_CONSUMER_PREFIX, PartitionFeed, type PartitionHandler } from './nats-partition-feed.js';
import { DEFAULT_PARTITIONS, partitionOf } from './partitions.js';
import { BusOutbox, type OutboxOptions } from './bus-outbox.js';
import { CHAT_SUBJECT, ChatQueueFeed, ensureChatStream, type QueuedAnnouncement } from './nats-chat-queue.js';

/**
 * Distributed mode's event bus on NATS JetStream. Sensor nodes publish every event to the
 * stream NETREFLEX_EVENTS, subject nrx.events.<partition>.<type>.<device>, the partition a stable
 * hash of the device (partitions.ts). Each partition has its own durable consumer
 * (`rules-p<N>`, filtered on the partition) that one rules node at a time reads, in stream order,
 * with explicit acks: an event is removed only once its owner has decided it, and events of an
 * owner that dies stay in the stream for the next owner (nats-partition-feed.ts).
 *
 * De-duplication: every event is published with a JetStream message id made from its content
 * (type, device, payload - which carries the device's own timestamp and raw text), not its id or
 * the time a sensor received it. Two sensor nodes that hear the same datagram (one
 * syslog address served by two nodes) publish the same message id; JetStream keeps the first
 * and answers the second `duplicate` within the stream's duplicate window.
 */

export const EVENTS_STREAM = 'NETREFLEX_EVENTS';
/** What `cluster status` calls the partition consumers together. */
export const RULES_CONSUMER = 'rules';
const SUBJECT_ROOT = 'nrx.events';
/** The ids of executions a node has just written (announceExecutions); no stream keeps them. */
const EXECUTIONS_SUBJECT = 'nrx.executions.changed';
/** The ids of executions that now wait for a worker (announceWork); no stream keeps them. */
const WORK_SUBJECT = 'nrx.executions.waiting';
/** The partition count is written into the stream's description, where every node reads it. */
const DESCRIPTION = (partitions: number): string => `netreflex events; partitions=${partitions}`;

export interface NatsBusOptions {
  /** How long JetStream remembers message ids for de-duplication (default 2 minutes). */
  duplicateWindowMs?: number;
  /** How long a rules node has to decide an event before it is redelivered (default 30 s). */
  ackWaitMs?: number;
  /** Event partitions of the cluster (default 16); must match what the stream records. */
  partitions?: number;
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

export function eventSubject(e: EventEnvelope, partitions = DEFAULT_PARTITIONS): string {
  return `${partitionSubject(partitionOf(e.device, partitions))}.${e.type.split('.').map(token).join('.')}.${token(e.device ?? '-')}`;
}

/** The subject root of one partition: its consumer's filter is this plus `.>`. */
export function partitionSubject(partition: number): string {
  return `${SUBJECT_ROOT}.${partition}`;
}

/** The content key two sensor nodes agree on for the same message. */
export function dedupId(e: EventEnvelope): string {
  return createHash('sha256')
    .update(JSON.stringify([e.type, e.device, e.source.split(':')[0], e.payload]))
    .digest('base64url');
}

/** The partition count a stream records, or null for a stream made before partitions. */
function recordedPartitions(description: string | undefined): number | null {
  const m = /partitions=(\d+)/.exec(description ?? '');
  return m ? Number(m[1]) : null;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export class NatsEventBus {
  private readonly tally = { published: 0, duplicates: 0, consumed: 0, redelivered: 0 };
  private readonly feeds = new Set<PartitionFeed | ChatQueueFeed>();
  private readonly outbox: BusOutbox<EventEnvelope>;
  private outboxErrors: (err: unknown, lost: boolean) => void = () => {};

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly url: string,
    /** Event partitions of this cluster (as the stream records them). */
    readonly partitions: number,
    private readonly ackWaitMs: number,
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

  /** The rules consumers' backlog, all partitions together: not yet handed out, handed out but not yet acked. */
  async lag(): Promise<{ stream: string; consumer: string; pending: number; ackPending: number; redelivered: number }> {
    const out = { stream: EVENTS_STREAM, consumer: RULES_CONSUMER, pending: 0, ackPending: 0, redelivered: 0 };
    for await (const ci of this.jsm.consumers.list(EVENTS_STREAM)) {
      if (!ci.name.startsWith(PARTITION_CONSUMER_PREFIX)) continue;
      out.pending += ci.num_pending;
      out.ackPending += ci.num_ack_pending;
      out.redelivered += ci.num_redelivered;
    }
    // events of a partition no rules node has read yet have no consumer: they wait in the stream
    const si = await this.jsm.streams.info(EVENTS_STREAM);
    out.pending = Math.max(out.pending, si.state.messages - out.ackPending);
    return out;
  }

  /**
   * Connects and makes sure the stream exists (creating it is idempotent across nodes). The
   * stream records the partition count; a node started with another count is refused.
   */
  static async connect(url: string, opts: NatsBusOptions = {}): Promise<NatsEventBus> {
    let nc: NatsConnection;
    const partitions = opts.partitions ?? DEFAULT_PARTITIONS;
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
    let recorded: number | null = null;
    try {
      const jsm = await jetstreamManager(nc);
      const duplicateWindow = (opts.duplicateWindowMs ?? 120_000) * 1_000_000;
      let info: StreamInfo | null = null;
      try {
        info = await jsm.streams.info(EVENTS_STREAM);
      } catch {
        info = null;
      }
      if (!info) {
        await jsm.streams.add({
          name: EVENTS_STREAM,
          description: DESCRIPTION(partitions),
          subjects: [`${SUBJECT_ROOT}.>`],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          duplicate_window: duplicateWindow,
        });
      } else {
        recorded = recordedPartitions(info.config.description);
        if (recorded === null || recorded === partitions)
          await jsm.streams.update(EVENTS_STREAM, { ...info.config, description: DESCRIPTION(partitions), duplicate_window: duplicateWindow });
      }
      // the chat bot's queue (announcements kept until posted): a stream of its own
      await ensureChatStream(jsm, opts.duplicateWindowMs ?? 120_000);
      // the one consumer of the version before partitions overlaps every partition's: it goes
      await jsm.consumers.delete(EVENTS_STREAM, RULES_CONSUMER).catch(() => false);
      if (recorded === null || recorded === partitions)
        return new NatsEventBus(nc, jetstream(nc), jsm, redact(url), partitions, opts.ackWaitMs ?? 30_000, opts.outbox);
    } catch (e) {
      await nc.close().catch(() => {});
      throw new NrxError('NRX_ERR_BUS', `--bus ${redact(url)}: JetStream not usable (is nats-server started with -js?): ${(e as Error).message}`, {
        cause: e,
      });
    }
    await nc.close().catch(() => {});
    throw new NrxError(
      'NRX_ERR_CONFIG',
      `--bus ${redact(url)}: this cluster splits events into ${recorded} partitions (recorded in stream ${EVENTS_STREAM}); this node was started with ${partitions}: start it with --partitions ${recorded}`,
    );
  }

  /**
   * An event made on this node by the API (webhooks, `POST /api/v1/events`) or by an action
   * (`core.announcement`): to the rules nodes like a sensor's, but de-duplicated by its id, not its
   * content (two webhooks alike are two events; a resend of this one is not).
   */
  async publishEmitted(e: EventEnvelope): Promise<void> {
    await this.publish(e, `event:${e.id}`);
  }

  /** Publishes one event; resolves once JetStream stored it (or recognised it as a duplicate). */
  async publish(e: EventEnvelope, msgId: string = dedupId(e)): Promise<void> {
    try {
      const ack = await this.js.publish(eventSubject(e, this.partitions), JSON.stringify(e), { msgID: msgId });
      if (ack.duplicate) this.tally.duplicates++;
      else this.tally.published++;
    } catch (err) {
      throw new NrxError('NRX_ERR_BUS', `bus ${this.url}: cannot publish ${e.type}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * An announcement for the chat bot, kept in the chat queue until the bot that runs has posted
   * it (or it grew too old): made while no API node runs the bot, it is posted when one does.
   * Keyed by the event's id, so a resend within the duplicate window is kept once.
   */
  async queueForChat(e: EventEnvelope): Promise<void> {
    try {
      await this.js.publish(CHAT_SUBJECT, JSON.stringify(e), { msgID: `chat:${e.id}` });
    } catch (err) {
      throw new NrxError('NRX_ERR_BUS', `bus ${this.url}: cannot queue ${e.type} for the chat bot: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Read the chat queue (this node runs the chat bot): one announcement at a time, in order. See ChatQueueFeed. */
  async readChatQueue(handle: (a: QueuedAnnouncement) => Promise<void>, onError: (e: unknown) => void): Promise<{ stop(): Promise<void> }> {
    const feed = await ChatQueueFeed.open(this.js, this.jsm, handle, onError);
    this.feeds.add(feed);
    feed.closed.finally(() => this.feeds.delete(feed)).catch(() => {});
    return feed;
  }

  /**
   * The executions this node has just written, to the nodes that follow them (API nodes): a
   * plain message, not kept. The store is the record; this only says what to read again there.
   */
  announceExecutions(executionIds: readonly string[]): void {
    this.announceIds(EXECUTIONS_SUBJECT, executionIds);
  }

  /** Executions that now wait for a worker, to the worker nodes: a plain message, like announceExecutions. */
  announceWork(executionIds: readonly string[]): void {
    this.announceIds(WORK_SUBJECT, executionIds);
  }

  private announceIds(subject: string, executionIds: readonly string[]): void {
    if (!this.nc.isClosed()) this.nc.publish(subject, executionIds.join(' '));
  }

  /** The ids of executions any node announces as changed (announceExecutions), as they come. */
  watchExecutions(onChange: (executionId: string) => void): Promise<{ stop(): Promise<void> }> {
    return this.watchIds(EXECUTIONS_SUBJECT, onChange);
  }

  /** The ids of executions any node announces as waiting for a worker (announceWork), as they come. */
  watchWork(onWaiting: (executionId: string) => void): Promise<{ stop(): Promise<void> }> {
    return this.watchIds(WORK_SUBJECT, onWaiting);
  }

  private async watchIds(subject: string, onChange: (executionId: string) => void): Promise<{ stop(): Promise<void> }> {
    const sub = this.nc.subscribe(subject, {
      callback: (err, m) => {
        if (err) return;
        for (const id of m.string().split(' ')) if (id) onChange(id);
      },
    });
    await this.nc.flush();
    return { stop: async () => sub.unsubscribe() };
  }

  /**
   * Every event of one trigger type as it is published, on any partition,
   * read beside the rules nodes (a plain subscription: nothing is taken from their stream). Not
   * durable: what is published while this node is away is not seen. A resend, or the copy another
   * sensor node heard, is passed on once.
   */
  async watchEvents(type: string, handle: (e: EventEnvelope) => void): Promise<{ stop(): Promise<void> }> {
    const seen = new Set<string>();
    const filter = `${SUBJECT_ROOT}.*.${type.split('.').map(token).join('.')}.*`;
    const sub = this.nc.subscribe(filter, {
      callback: (err, m) => {
        if (err) return;
        let e: EventEnvelope;
        try {
          e = m.json<EventEnvelope>();
        } catch {
          return;
        }
        const key = m.headers?.get('Nats-Msg-Id') || e.id;
        if (seen.has(key)) return;
        seen.add(key);
        // the last few thousand are plenty for resends and copies, which come within seconds
        if (seen.size > 5_000) seen.delete(seen.values().next().value!);
        handle(e);
      },
    });
    await this.nc.flush();
    return { stop: async () => sub.unsubscribe() };
  }

  /**
   * Start reading one partition (this node now owns it): every event still in the stream for
   * it, in stream order, then new ones. See PartitionFeed.
   */
  async openPartition(partition: number, handle: PartitionHandler, onError: (e: unknown) => void): Promise<PartitionFeed> {
    const feed = await PartitionFeed.open(this.js, this.jsm, partition, { ackWaitMs: this.ackWaitMs, counts: this.tally }, handle, onError);
    this.feeds.add(feed);
    feed.closed.finally(() => this.feeds.delete(feed)).catch(() => {});
    return feed;
  }

  async close(): Promise<void> {
    await this.outbox.close();
    await Promise.all([...this.feeds].map((f) => f.stop()));
    await this.nc.drain().catch(() => {});
  }
}
