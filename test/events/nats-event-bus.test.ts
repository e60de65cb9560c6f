// The JetStream event bus against a real nats-server (started here): what two sensor nodes
// publish for one datagram is stored once; a partition is read in publish order; a new owner of a
// partition gets at once what the previous owner left unacked; the partition count is the cluster's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { dedupId, eventSubject, NatsEventBus } from '../../src/events/nats-event-bus.js';
import type { PartitionMessage } from '../../src/events/nats-partition-feed.js';
import { partitionOf } from '../../src/events/partitions.js';
import { NrxError } from '../../src/core/errors.js';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';

const skip = natsGuard();

/** As the syslog sensor makes it: the device's own timestamp in the payload, the time received in `time`. */
function bgpDown(peer: string, timestamp = '2030-01-01T00:00:00.000Z'): EventEnvelope {
  return makeEvent('network.bgp_peer_state_changed', { peer, state: 'idle', timestamp }, { source: 'sensor:syslog', device: 'leaf1.dc1' });
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('NATS JetStream event bus', { skip, timeout: 120_000 }, () => {
  let nats: NatsServer;
  before(async () => {
    nats = await startNatsServer();
  });
  after(async () => {
    await nats?.stop();
  });

  test('subjects name the partition, the trigger type and the device; dedup ids depend on content, not on the event id or the time received', () => {
    const a = bgpDown('10.0.1.1');
    // another sensor node received it a moment later
    const b = { ...bgpDown('10.0.1.1'), id: 'another-id', traceId: 'another-trace', time: '2030-01-01T00:00:00.003Z' };
    assert.equal(eventSubject(a, 16), `nrx.events.${partitionOf('leaf1.dc1', 16)}.network.bgp_peer_state_changed.leaf1_dc1`);
    assert.equal(dedupId(a), dedupId(b));
    assert.notEqual(dedupId(a), dedupId(bgpDown('10.0.1.2')));
    assert.notEqual(dedupId(a), dedupId(bgpDown('10.0.1.1', '2030-01-01T00:00:01.000Z')));
  });

  /** Reads one partition into `seen`, acking each message unless `keep` says to leave it open. */
  const reader = async (bus: NatsEventBus, p: number, seen: PartitionMessage[], keep = (_m: PartitionMessage) => false) =>
    bus.openPartition(
      p,
      (m) => {
        seen.push(m);
        if (!keep(m)) m.ack();
      },
      (e) => assert.fail(String(e)),
    );

  test('two sensor nodes publishing one message store it once; a partition is read in publish order', async () => {
    const sensorA = await NatsEventBus.connect(nats.url, { partitions: 4 });
    const sensorB = await NatsEventBus.connect(nats.url, { partitions: 4 });
    const rules = await NatsEventBus.connect(nats.url, { partitions: 4 });
    try {
      const events = Array.from({ length: 20 }, (_, i) => bgpDown(`10.0.0.${i}`));
      for (const e of events) {
        await sensorA.publish(e);
        await sensorB.publish({ ...e, id: `b-${e.id}` });
      }
      assert.equal(sensorA.counts.published + sensorB.counts.published, 20);
      assert.equal(sensorA.counts.duplicates + sensorB.counts.duplicates, 20);
      const seen: PartitionMessage[] = [];
      // every other partition has none of this device's events
      const elsewhere: PartitionMessage[] = [];
      const p = partitionOf('leaf1.dc1', 4);
      const feeds = [await reader(rules, p, seen), await reader(rules, (p + 1) % 4, elsewhere)];
      await until(() => seen.length >= 20, 'twenty events read');
      assert.deepEqual(
        seen.map((m) => m.event.payload.peer),
        events.map((e) => e.payload.peer),
      );
      assert.ok(
        seen.every((m) => m.mayBeSeen && m.partition === p),
        'published before the partition was taken: a previous owner may have had them',
      );
      assert.equal(elsewhere.length, 0);
      await Promise.all(feeds.map((f) => f.stop()));
    } finally {
      await Promise.all([sensorA.close(), sensorB.close(), rules.close()]);
    }
  });

  test('a new owner of a partition gets what the previous one left unacked at once, in order, and nothing it acked', async () => {
    const sensor = await NatsEventBus.connect(nats.url, { partitions: 4 });
    const first = await NatsEventBus.connect(nats.url, { partitions: 4 });
    const second = await NatsEventBus.connect(nats.url, { partitions: 4 });
    try {
      const p = partitionOf('leaf1.dc1', 4);
      const events = Array.from({ length: 6 }, (_, i) => bgpDown(`10.0.3.${i}`, '2030-03-01T00:00:00.000Z'));
      for (const e of events) await sensor.publish(e);
      const seenFirst: PartitionMessage[] = [];
      // the first owner decides the first two, then dies with the others in hand
      const feed = await reader(first, p, seenFirst, (m) => !['10.0.3.0', '10.0.3.1'].includes(String(m.event.payload.peer)));
      await until(() => seenFirst.length === 6, 'the first owner read all six');
      await feed.stop();
      const began = Date.now();
      const seenSecond: PartitionMessage[] = [];
      const feed2 = await reader(second, p, seenSecond);
      await until(() => seenSecond.length === 4, 'the second owner has the four left');
      assert.ok(Date.now() - began < 5_000, 'without waiting out the 30 s ack wait');
      assert.deepEqual(
        seenSecond.map((m) => m.event.payload.peer),
        ['10.0.3.2', '10.0.3.3', '10.0.3.4', '10.0.3.5'],
      );
      // published after the takeover: no previous owner can have had it
      const late = bgpDown('10.0.3.9', '2030-03-01T00:00:09.000Z');
      await sensor.publish(late);
      await until(() => seenSecond.length === 5, 'the later event read');
      assert.equal(seenSecond[4]!.mayBeSeen, false);
      await feed2.stop();
      // the server applies acks on the consumer's own path, apart from the info request: ask until they are in
      let ackPending = -1;
      for (const end = Date.now() + 5_000; ackPending !== 0 && Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
        ackPending = (await second.lag()).ackPending;
      assert.equal(ackPending, 0);
    } finally {
      await Promise.all([sensor.close(), first.close(), second.close()]);
    }
  });

  test('the executions a node announces (changed, waiting for a worker) reach every node watching them, and are not stored as events', async () => {
    const worker = await NatsEventBus.connect(nats.url, { partitions: 4 });
    const api = await NatsEventBus.connect(nats.url, { partitions: 4 });
    try {
      const heard: string[] = [];
      const watch = await api.watchExecutions((id) => heard.push(id));
      worker.announceExecutions(['01J1', '01J2']);
      worker.announceExecutions(['01J3']);
      await until(() => heard.length === 3, 'three execution ids');
      assert.deepEqual(heard, ['01J1', '01J2', '01J3']);
      const before = await worker.lag();
      await watch.stop();
      worker.announceExecutions(['01J4']);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(heard, ['01J1', '01J2', '01J3'], 'not heard once stopped');
      assert.equal((await worker.lag()).pending, before.pending, 'not stored as events');
      // work waiting for a worker: on its own subject
      const waiting: string[] = [];
      const work = await api.watchWork((id) => waiting.push(id));
      worker.announceWork(['01J5']);
      worker.announceExecutions(['01J6']);
      await until(() => waiting.length === 1, 'the work announced');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(waiting, ['01J5']);
      await work.stop();
    } finally {
      await Promise.all([worker.close(), api.close()]);
    }
  });

  test('a node started with another partition count than the stream records is refused, naming the count to use', async () => {
    await assert.rejects(
      NatsEventBus.connect(nats.url, { partitions: 8 }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && /4 partitions/.test(e.message) && /--partitions 4/.test(e.message),
    );
  });

  test('a bus URL that is not nats:// or does not answer is NRX_ERR_BUS without the password', async () => {
    await assert.rejects(NatsEventBus.connect('http://127.0.0.1:1'), (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS');
    await assert.rejects(
      NatsEventBus.connect(`nats://u:hunter2@127.0.0.1:${nats.port + 1}`),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS' && !e.message.includes('hunter2'),
    );
  });
});
