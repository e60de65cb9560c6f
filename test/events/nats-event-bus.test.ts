// The JetStream event bus against a real nats-server (started here): what two sensor nodes
// publish for one datagram is stored once; a rules node acks only what it recorded, and what it
// failed to record comes back; a second consumer on the same durable shares the work.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { dedupId, eventSubject, NatsEventBus } from '../../src/events/nats-event-bus.js';
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

  test('subjects name the trigger type and the device; dedup ids depend on content, not on the event id or the time received', () => {
    const a = bgpDown('10.0.1.1');
    // another sensor node received it a moment later
    const b = { ...bgpDown('10.0.1.1'), id: 'another-id', traceId: 'another-trace', time: '2030-01-01T00:00:00.003Z' };
    assert.equal(eventSubject(a), 'nrx.events.network.bgp_peer_state_changed.leaf1_dc1');
    assert.equal(dedupId(a), dedupId(b));
    assert.notEqual(dedupId(a), dedupId(bgpDown('10.0.1.2')));
    assert.notEqual(dedupId(a), dedupId(bgpDown('10.0.1.1', '2030-01-01T00:00:01.000Z')));
  });

  test('two sensor nodes publishing one message store it once; a rules node records each event once, in order', async () => {
    const sensorA = await NatsEventBus.connect(nats.url);
    const sensorB = await NatsEventBus.connect(nats.url);
    const rules = await NatsEventBus.connect(nats.url);
    try {
      const events = Array.from({ length: 20 }, (_, i) => bgpDown(`10.0.0.${i}`));
      for (const e of events) {
        await sensorA.publish(e);
        await sensorB.publish({ ...e, id: `b-${e.id}` });
      }
      assert.equal(sensorA.counts.published + sensorB.counts.published, 20);
      assert.equal(sensorA.counts.duplicates + sensorB.counts.duplicates, 20);
      const seen: string[] = [];
      rules.consume(
        async (e) => void seen.push(String(e.payload.peer)),
        (e) => assert.fail(String(e)),
      );
      await until(() => seen.length >= 20, 'twenty events recorded');
      assert.deepEqual(
        seen,
        events.map((e) => e.payload.peer),
      );
    } finally {
      await Promise.all([sensorA.close(), sensorB.close(), rules.close()]);
    }
  });

  test('an event the rules node fails to record is not acked and comes back; it is recorded exactly once', async () => {
    const sensor = await NatsEventBus.connect(nats.url);
    const rules = await NatsEventBus.connect(nats.url);
    try {
      await sensor.publish(bgpDown('192.0.2.1', '2030-02-01T00:00:00.000Z'));
      let attempts = 0;
      const recorded: string[] = [];
      rules.consume(
        async (e) => {
          if (++attempts === 1) throw new NrxError('NRX_ERR_STORE', 'database down for a moment');
          recorded.push(String(e.payload.peer));
        },
        () => {},
      );
      await until(() => recorded.length === 1, 'the event recorded after its redelivery');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(recorded, ['192.0.2.1']);
      assert.equal(attempts, 2);
      assert.equal(rules.counts.redelivered, 1);
    } finally {
      await Promise.all([sensor.close(), rules.close()]);
    }
  });

  test('a bus URL that is not nats:// or does not answer is NRX_ERR_BUS without the password', async () => {
    await assert.rejects(NatsEventBus.connect('http://127.0.0.1:1'), (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS');
    await assert.rejects(
      NatsEventBus.connect(`nats://u:hunter2@127.0.0.1:${nats.port + 1}`),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS' && !e.message.includes('hunter2'),
    );
  });
});
