import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { QueuedAnnouncement } from '../events/nats-chat-queue.js';

/** Announcements older than this when the bot could post them are skipped (chatops `bot.max_announcement_age`). */
export const DEFAULT_MAX_ANNOUNCEMENT_AGE_MS = 15 * 60_000;

export interface QueuedAnnouncementsDeps {
  /** Post one announcement; NRX_ERR_CHAT_DOWN means not now (the chat server is away), any other error never. */
  post(event: EventEnvelope): Promise<void>;
  /** One line to the bot's default channel. */
  notice(text: string): Promise<void>;
  maxAgeMs: number;
  log: Pick<Logger, 'warn'>;
  now?: () => number;
  /** Pause between two tries of a post while the chat server is away (default 2 s). */
  retryMs?: number;
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * What the bot that runs does with each announcement of the chat queue, in order: posts it and
 * only then acks it; keeps trying while the chat server is away (a bot that stops meanwhile leaves
 * it to the next one); logs and acks one that can never be posted. An announcement older than
 * the age limit (made while no API node ran the bot, or while the chat server was away) is not
 * posted: an operator back after an outage wants what happens now, not an hour-old flood. Those
 * skipped are summed up in one log line and one chat line, once the backlog is read or before
 * the next announcement that is posted.
 */
export class QueuedAnnouncements {
  private skipped: { count: number; first: number; last: number } | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: QueuedAnnouncementsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The bot stops: a post being retried is left for the next bot. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async handle(a: QueuedAnnouncement): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      if (this.now() - a.queuedAt > this.deps.maxAgeMs) {
        const s = (this.skipped ??= { count: 0, first: a.queuedAt, last: a.queuedAt });
        s.count++;
        s.last = a.queuedAt;
        await a.ack();
        if (a.behind === 0) await this.sayWhatWasSkipped();
        return;
      }
      await this.sayWhatWasSkipped();
      try {
        await this.deps.post(a.event);
        await a.ack();
        return;
      } catch (e) {
        const d = describeError(e);
        if (d.code !== 'NRX_ERR_CHAT_DOWN') {
          this.deps.log.warn({ event: a.event.id, code: d.code }, `chat bot: announcement ${a.event.id} cannot be posted and is dropped: ${d.message}`);
          await a.ack();
          return;
        }
      }
      // the chat server is away: still ours, try again shortly
      a.working();
      await new Promise<void>((r) => {
        const t = setTimeout(r, this.deps.retryMs ?? 2_000);
        this.wake = () => (clearTimeout(t), r());
      });
      this.wake = null;
    }
  }

  private async sayWhatWasSkipped(): Promise<void> {
    const s = this.skipped;
    if (!s) return;
    this.skipped = null;
    const age = minutes(this.deps.maxAgeMs);
    const span = `${new Date(s.first).toISOString()} to ${new Date(s.last).toISOString()}`;
    this.deps.log.warn(
      { skipped: s.count, from: new Date(s.first).toISOString(), to: new Date(s.last).toISOString() },
      `chat bot: ${s.count} announcement(s) made from ${span} not posted: older than ${age} when a chat bot could post them (bot.max_announcement_age)`,
    );
    await this.deps
      .notice(`netreflex: ${s.count} announcement(s) made from ${span} were not posted: older than ${age} by the time a chat bot ran`)
      .catch((e: unknown) =>
        this.deps.log.warn({ code: describeError(e).code }, `chat bot: could not say that announcements were skipped: ${describeError(e).message}`),
      );
  }
}
