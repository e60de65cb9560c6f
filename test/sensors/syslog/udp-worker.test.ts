import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { test } from 'node:test';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import { DatagramBatchWriter, forEachDatagram, forEachDatagramText, transferList, type DatagramBatch } from '../../../src/sensors/syslog/datagram-batch.js';
import { staticResolver } from '../../../src/sensors/syslog/device.js';
import { SyslogListener } from '../../../src/sensors/syslog/listener.js';
import { SyslogSensor } from '../../../src/sensors/syslog/sensor.js';
import { recvBufferShortfall } from '../../../src/sensors/common/recv-buffer.js';
import { UdpWorkerHost } from '../../../src/sensors/syslog/udp-worker-host.js';
import { silentLogger } from '../../../src/core/log.js';
import type { UdpReaderKind } from '../../../src/sensors/common/udp-batch-reader.js';
import { nativeReaderMissing } from './native-reader.js';

// each test that reads a socket runs with both readers: the native one and the dgram fallback
const READERS: Array<[UdpReaderKind, { skip: string | false }]> = [
  ['recvmmsg', { skip: nativeReaderMissing() }],
  ['dgram', { skip: false }],
];

const read = (batches: DatagramBatch[]): Array<[string, string, number]> => {
  const out: Array<[string, string, number]> = [];
  for (const b of batches) forEachDatagram(b, (bytes, address, at) => out.push([bytes.toString(), address, at]));
  return out;
};

test('a batch gives back every datagram with its source and arrival time, in arrival order', () => {
  const w = new DatagramBatchWriter(64, 3);
  const done: DatagramBatch[] = [];
  const sent: Array<[string, string, number]> = [];
  for (let i = 0; i < 8; i++) {
    const d: [string, string, number] = [`<13>msg ${i}`, i % 2 ? '192.0.2.1' : '2001:db8::7', 1_000 + i];
    sent.push(d);
    const full = w.push(Buffer.from(d[0]), d[1], d[2]);
    if (full) done.push(full);
  }
  assert.deepEqual(
    done.map((b) => b.count),
    [3, 3],
    'a batch is handed back when it holds maxCount datagrams',
  );
  done.push(w.flush()!);
  assert.equal(w.flush(), null, 'nothing left after a flush');
  assert.deepEqual(read(done), sent);
  const texts: Array<[string, string, number]> = [];
  for (const b of done) forEachDatagramText(b, (text, address, at) => texts.push([text, address, at]));
  assert.deepEqual(texts, sent, 'as text, the same');
  assert.equal(transferList(done[0]!).length, 4);
});

test('a datagram that does not fit closes the batch before it; one larger than a batch gets its own', () => {
  const w = new DatagramBatchWriter(16, 100);
  assert.equal(w.push(Buffer.from('0123456789'), 'a', 1), null);
  const first = w.push(Buffer.from('abcdefghij'), 'b', 2);
  assert.deepEqual(read([first!]), [['0123456789', 'a', 1]]);
  const second = w.push(Buffer.alloc(40, 'x'), 'c', 3);
  assert.deepEqual(read([second!]), [['abcdefghij', 'b', 2]]);
  assert.deepEqual(read([w.flush()!]), [['x'.repeat(40), 'c', 3]]);
});

for (const [reader, opts] of READERS)
  test(
    `UDP on the worker thread (${reader} reader): events from several devices arrive in the order each sent them, malformed ones are counted`,
    opts,
    async () => {
      const events: EventEnvelope[] = [];
      const sensor = new SyslogSensor({
        publish: (e) => void events.push(e),
        resolver: staticResolver([
          { name: 'leaf-1', platform: 'frr', hostname: 'leaf1' },
          { name: 'leaf-2', platform: 'frr', hostname: 'leaf2' },
        ]),
      });
      const listener = new SyslogListener(sensor, { udp: { host: '127.0.0.1', port: 0, worker: true, reader } });
      const { udp } = await listener.start();
      assert.equal(udp!.reader, reader);
      const client = dgram.createSocket('udp4');
      const perDevice = 300;
      const t0 = Date.now();
      try {
        // interleaved, as a storm from two devices arrives; each carries its own sequence number
        for (let i = 0; i < perDevice; i++) {
          for (const host of ['leaf1', 'leaf2']) {
            await new Promise<void>((r) => client.send(`<30>Nov 22 00:07:28 ${host} app[1]: seq ${i}`, udp!.port, '127.0.0.1', () => r()));
          }
        }
        await new Promise<void>((r) => client.send('<999>bad', udp!.port, '127.0.0.1', () => r()));
        const end = Date.now() + 5_000;
        while ((events.length < 2 * perDevice || sensor.counters.malformed < 1) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      } finally {
        client.close();
        await listener.close();
      }
      for (const device of ['leaf-1', 'leaf-2']) {
        const seqs = events.filter((e) => e.device === device).map((e) => Number(/seq (\d+)/.exec(String(e.payload.message))![1]));
        assert.deepEqual(
          seqs,
          Array.from({ length: perDevice }, (_, i) => i),
          `${device}: every event, in the order sent`,
        );
      }
      assert.equal(sensor.counters.received, 2 * perDevice + 1);
      assert.equal(sensor.counters.malformed, 1);
      const time = Date.parse(events[0]!.time);
      assert.ok(time >= t0 - 1 && time <= Date.now(), 'the envelope time is the arrival time the worker recorded');
    },
  );

for (const [reader, opts] of READERS)
  test(`closing the worker listener (${reader} reader) hands on the datagrams read before and releases the port`, opts, async () => {
    const events: EventEnvelope[] = [];
    const sensor = new SyslogSensor({ publish: (e) => void events.push(e) });
    const listener = new SyslogListener(sensor, { udp: { host: '127.0.0.1', port: 0, worker: true, reader } });
    const { udp } = await listener.start();
    const client = dgram.createSocket('udp4');
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => client.send(`<30>Nov 22 00:07:28 h app: n ${i}`, udp!.port, '127.0.0.1', () => r()));
    client.close();
    // give the kernel a moment to queue them on the worker's socket, then close at once (no flush wait)
    await new Promise((r) => setTimeout(r, 50));
    await listener.close();
    assert.equal(events.length, 20);
    // the port is free again: another socket binds it at once
    const again = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(udp!.port, '127.0.0.1', () => resolve());
    });
    again.close();
  });

for (const [reader, opts] of READERS)
  test(`a datagram longer than maxDatagramBytes is handed on cut to it and counted (${reader} reader)`, opts, async () => {
    const events: EventEnvelope[] = [];
    const sensor = new SyslogSensor({ publish: (e) => void events.push(e) });
    const listener = new SyslogListener(sensor, { udp: { host: '127.0.0.1', port: 0, worker: true, reader, maxDatagramBytes: 100 } });
    const { udp } = await listener.start();
    const client = dgram.createSocket('udp4');
    const long = `<30>Nov 22 00:07:28 h app: ${'x'.repeat(400)}`;
    for (const line of ['<30>Nov 22 00:07:28 h app: before', long, '<30>Nov 22 00:07:28 h app: after'])
      await new Promise<void>((r) => client.send(line, udp!.port, '127.0.0.1', () => r()));
    client.close();
    const end = Date.now() + 5_000;
    while (events.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await listener.close();
    assert.deepEqual(
      events.map((e) => e.payload.raw),
      ['<30>Nov 22 00:07:28 h app: before', long.slice(0, 100), '<30>Nov 22 00:07:28 h app: after'],
    );
    assert.equal(listener.datagramsTruncated(), 1);
  });

test('a receive buffer capped by net.core.rmem_max is reported with the sysctl that lifts the cap', () => {
  const mib = 1024 * 1024;
  assert.equal(recvBufferShortfall(32 * mib, 64 * mib, 32 * mib), null, 'granted in full');
  const why = recvBufferShortfall(32 * mib, 8 * mib, 4 * mib);
  assert.match(why!, /asked 33554432 bytes, net\.core\.rmem_max allows 4194304/);
  assert.match(why!, /sysctl -w net\.core\.rmem_max=33554432/);
  // Linux reports double what it grants: 8 MiB reported for a 4 MiB cap is still a cap; without /proc the reported size decides
  assert.equal(recvBufferShortfall(8 * mib, 8 * mib, null), null);
  assert.ok(recvBufferShortfall(8 * mib, 4 * mib, null));
});

for (const [reader, opts] of READERS)
  test(`when decoding falls too far behind, the reader thread (${reader}) drops datagrams and counts every one: memory stays bounded`, opts, async () => {
    let received = 0;
    let dropped = 0;
    const host = new UdpWorkerHost({
      reader,
      host: '127.0.0.1',
      port: 0,
      recvBufferBytes: 4 * 1024 * 1024,
      maxBatchesInFlight: 1,
      onDatagram: () => {
        // the first batch keeps this thread busy while the rest arrive: nothing else can be handed over
        if (received++ === 0) {
          const until = Date.now() + 400;
          while (Date.now() < until);
        }
      },
      onDropped: (n) => void (dropped += n),
      log: silentLogger,
    });
    const { port } = await host.start();
    const count = 300;
    // another process sends, over about 100 ms, so that sending goes on while this thread is busy
    const sender = spawn(process.execPath, [
      '-e',
      `const s = require('node:dgram').createSocket('udp4'); let i = 0;
     const next = () => { if (i === ${count}) return s.close(); s.send('<13>Nov 22 00:07:28 h app: n ' + i++, ${port}, '127.0.0.1', () => setTimeout(next, i % 10 ? 0 : 3)); };
     next();`,
    ]);
    await new Promise((r) => sender.once('exit', r));
    const end = Date.now() + 5_000;
    while (received + dropped < count && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await host.close();
    assert.ok(dropped > 0, `some were dropped (received ${received})`);
    assert.equal(received + dropped, count, 'every datagram is either handed on or counted as dropped');
  });
