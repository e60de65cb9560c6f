import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QueuedAnnouncements } from '../../src/chat/queued-announcements.js';
import { NrxError } from '../../src/core/errors.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import type { QueuedAnnouncement } from '../../src/events/nats-chat-queue.js';

const MIN = 60_000;
const NOW = Date.parse('2026-12-02T12:00:00Z');

function queued(message: string, ageMs: number, behind: number, log: string[]): QueuedAnnouncement {
  return {
    event: makeEvent('core.announcement', { route: 'chatops', payload: { message } }),
    queuedAt: NOW - ageMs,
    behind,
    ack: async () => void log.push(`ack ${message}`),
    working: () => void log.push(`working ${message}`),
  };
}

function poster(log: string[], post: (e: EventEnvelope) => Promise<void> = async () => {}) {
  const warnings: string[] = [];
  const q = new QueuedAnnouncements({
    post: async (e) => {
      await post(e);
      log.push(`post ${(e.payload.payload as { message: string }).message}`);
    },
    notice: async (text) => void log.push(`notice ${text}`),
    maxAgeMs: 15 * MIN,
    log: { warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? '') } as never,
    now: () => NOW,
    retryMs: 5,
  });
  return { q, warnings };
}

describe('announcements of the chat queue', () => {
  test('each is posted, then acked, in order', async () => {
    const log: string[] = [];
    const { q, warnings } = poster(log);
    for (const [m, behind] of [
      ['one', 1],
      ['two', 0],
    ] as const)
      await q.handle(queued(m, MIN, behind, log));
    assert.deepEqual(log, ['post one', 'ack one', 'post two', 'ack two']);
    assert.deepEqual(warnings, []);
  });

  test('older than the limit: skipped and acked, then one log line and one chat line say how many', async () => {
    const log: string[] = [];
    const { q, warnings } = poster(log);
    await q.handle(queued('old1', 60 * MIN, 2, log));
    await q.handle(queued('old2', 59 * MIN, 1, log));
    await q.handle(queued('fresh', 2 * MIN, 0, log));
    assert.deepEqual(log.slice(0, 2), ['ack old1', 'ack old2']);
    assert.match(
      log[2]!,
      /^notice netreflex: 2 announcement\(s\) made from 2026-12-02T11:00:00.000Z to 2026-12-02T11:01:00.000Z were not posted: older than 15 min/,
    );
    assert.deepEqual(log.slice(3), ['post fresh', 'ack fresh']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /chat bot: 2 announcement\(s\) .* not posted: older than 15 min/);
  });

  test('a backlog that is all old is summed up once it is read', async () => {
    const log: string[] = [];
    const { q, warnings } = poster(log);
    await q.handle(queued('old1', 30 * MIN, 1, log));
    assert.deepEqual(log, ['ack old1']);
    await q.handle(queued('old2', 20 * MIN, 0, log));
    assert.equal(log.length, 3);
    assert.match(log[2]!, /^notice netreflex: 2 announcement/);
    assert.equal(warnings.length, 1);
  });

  test('while the chat server is away the post is tried again, and acked only once it went out', async () => {
    const log: string[] = [];
    let down = 3;
    const { q } = poster(log, async () => {
      if (down-- > 0) throw new NrxError('NRX_ERR_CHAT_DOWN', 'reconnecting');
    });
    await q.handle(queued('later', MIN, 0, log));
    assert.deepEqual(log, ['working later', 'working later', 'working later', 'post later', 'ack later']);
  });

  test('a bot that stops while the chat server is away leaves the announcement unacked for the next bot', async () => {
    const log: string[] = [];
    const { q } = poster(log, async () => {
      throw new NrxError('NRX_ERR_CHAT_DOWN', 'reconnecting');
    });
    const handled = q.handle(queued('kept', MIN, 0, log));
    await new Promise((r) => setTimeout(r, 20));
    q.stop();
    await handled;
    assert.ok(!log.includes('ack kept'), log.join('\n'));
  });

  test('one that can never be posted is logged and acked: it does not hold the queue', async () => {
    const log: string[] = [];
    const { q, warnings } = poster(log, async () => {
      throw new NrxError('NRX_ERR_CHAT', 'cannot send to "bad target": not a channel or nick');
    });
    await q.handle(queued('bad', MIN, 0, log));
    assert.deepEqual(log, ['ack bad']);
    assert.match(warnings[0]!, /cannot be posted and is dropped: cannot send to/);
  });
});
