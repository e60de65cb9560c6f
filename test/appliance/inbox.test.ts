// The inbox reads control requests when poked (the store told of one) as well as every pollMs;
// a poke while it reads is not lost: it reads once more when done.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InboxPoller } from '../../src/appliance/inbox.js';
import { silentLogger } from '../../src/core/log.js';
import { MemoryBus } from '../../src/events/memory-bus.js';
import type { ControlRequestRecord } from '../../src/store/records.js';

function inboxWith(requests: ControlRequestRecord[], listing: () => Promise<void>) {
  const canceled: string[] = [];
  let reads = 0;
  const inbox = new InboxPoller({
    store: {
      getTriggerInstance: async () => null,
      getExecution: async () => null,
      listControlRequests: async () => {
        reads++;
        const now = [...requests];
        await listing();
        return now;
      },
      commit: async (ops) => {
        for (const op of ops)
          if (op.op === 'deleteControlRequest')
            requests.splice(
              requests.findIndex((r) => r.id === op.id),
              1,
            );
      },
    },
    pending: { recover: () => 0, next: () => [] },
    bus: new MemoryBus(),
    controls: {
      cancel: async (id) => void canceled.push(id),
      pause: async () => {},
      resume: async () => {},
    },
    inFlight: new Set(),
    log: silentLogger,
    events: false,
  });
  return { inbox, canceled, reads: () => reads };
}

const request = (id: number, executionId: string): ControlRequestRecord => ({ id, executionId, op: 'cancel', createdAt: new Date().toISOString() });

test('a poke reads the control requests at once, without waiting for the next poll', async () => {
  const requests = [request(1, 'e1')];
  const { inbox, canceled } = inboxWith(requests, async () => {});
  inbox.poke();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(canceled, ['e1']);
  inbox.stop();
});

test('a poke during a read is carried out by a second read when the first is done', async () => {
  const requests = [request(1, 'e1')];
  let release = (): void => {};
  let first = true;
  const { inbox, canceled, reads } = inboxWith(requests, async () => {
    if (!first) return;
    first = false;
    await new Promise<void>((r) => (release = r));
  });
  inbox.poke();
  await new Promise((r) => setTimeout(r, 10));
  // a second request arrives while the first read waits: the store pokes again
  requests.push(request(2, 'e2'));
  inbox.poke();
  inbox.poke();
  release();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(canceled, ['e1', 'e2']);
  assert.equal(reads(), 2, 'two pokes during one read make one more read');
  inbox.stop();
});

test('a stopped inbox ignores pokes', async () => {
  const { inbox, canceled, reads } = inboxWith([request(1, 'e1')], async () => {});
  inbox.stop();
  inbox.poke();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(canceled, []);
  assert.equal(reads(), 0);
});
