import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import { SflowListener } from '../../../src/sensors/sflow/listener.js';
import { counterSample, datagram, genericCounters, portName } from './encode.js';

test('SflowListener over UDP: events from counter samples, lost datagrams, malformed counted, listener survives', async () => {
  const events: EventEnvelope[] = [];
  const listener = new SflowListener({ host: '127.0.0.1', port: 0, onEvent: (e) => events.push(e) });
  const { port } = await listener.start();
  const tx = dgram.createSocket('udp4');
  const send = (b: Buffer): Promise<void> => new Promise((r) => tx.send(b, port, '127.0.0.1', () => r()));
  try {
    await send(datagram('192.0.2.1', 1, 1000, [counterSample(1, 4, [genericCounters({ ifIndex: 4, up: true }), portName('swp4')])]));
    await send(Buffer.from('not sflow at all'));
    // datagrams 2 and 3 lost on the way
    await send(datagram('192.0.2.1', 4, 6000, [counterSample(2, 4, [genericCounters({ ifIndex: 4, up: false })])]));
    for (let i = 0; i < 100 && listener.counters.received < 3; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    tx.close();
    await listener.close();
  }
  assert.deepEqual(
    events.map((e) => [e.type, e.payload.interface, e.payload.host]),
    [['network.interface_down', 'swp4', '192.0.2.1']],
  );
  assert.deepEqual(listener.counters.snapshot(), { received: 3, decoded: 2, normalised: 1, unknown: 0, malformed: 1, dropped: 0 });
  assert.equal(listener.sequences.lostTotal, 2);
  assert.equal(listener.samples, 2);
});
