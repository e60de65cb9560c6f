import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import { staticResolver } from '../../../src/sensors/syslog/device.js';
import { SyslogListener, type UdpOptions } from '../../../src/sensors/syslog/listener.js';
import { nativeReaderMissing } from './native-reader.js';
import { SyslogSensor } from '../../../src/sensors/syslog/sensor.js';

const FRR_DOWN =
  '<30>1 2026-11-22T00:02:14.936152+00:00 r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.1(r1) in vrf default Down Interface down';
const FRR_UP = '<30>2026-11-22T00:01:49.881748+00:00 r2 bgpd[13564]: [N9HHH-F8H1M] %ADJCHANGE: neighbor 10.0.12.1(r1) in vrf default Up';
const PLAIN = '<86>Nov 22 00:07:28 vm sshd[100]: Accepted publickey for root';

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(publish?: (e: EventEnvelope) => void | Promise<void>) {
  const events: EventEnvelope[] = [];
  const warnings: string[] = [];
  const logger = {
    warn: (_f: unknown, m: string) => warnings.push(m),
    info() {},
    error() {},
    debug() {},
  } as unknown as import('../../../src/core/log.js').Logger;
  const sensor = new SyslogSensor({
    publish: publish ?? ((e) => void events.push(e)),
    logger,
    resolver: staticResolver([{ name: 'router-2', platform: 'frr', hostname: 'r2' }]),
  });
  return { sensor, events, warnings, logger };
}

// every way the listener reads UDP: on this thread, and on the worker thread with either reader
const UDP_READERS: Array<[string, UdpOptions]> = [
  ['this thread, dgram', {}],
  ['worker thread, dgram reader', { worker: true, reader: 'dgram' }],
  ['worker thread, recvmmsg reader', { worker: true, reader: 'recvmmsg' }],
];

describe('UDP', () => {
  for (const [how, reading] of UDP_READERS)
    test(
      `datagrams become events; malformed ones are counted and logged with why; the receive buffer is reported (${how})`,
      { skip: reading.reader === 'recvmmsg' && nativeReaderMissing() },
      async () => {
        const { sensor, events, warnings } = setup();
        const listener = new SyslogListener(sensor, { udp: { host: '127.0.0.1', port: 0, ...reading } });
        const addr = await listener.start();
        try {
          assert.ok(addr.udp && addr.udp.port > 0);
          // what the kernel granted: at least the Linux default, and reported, not assumed
          assert.ok(addr.udp.recvBufferBytes >= 200_000, `receive buffer ${addr.udp.recvBufferBytes}`);
          assert.equal(addr.udp.requestedRecvBufferBytes, 32 * 1024 * 1024);
          assert.equal(addr.udp.reader, reading.reader ?? 'dgram');
          assert.equal(listener.udpReader(), addr.udp.reader);
          const client = dgram.createSocket('udp4');
          for (const line of [FRR_DOWN, FRR_UP, PLAIN, '<999>broken', ''])
            await new Promise<void>((r) => client.send(Buffer.from(line), addr.udp!.port, '127.0.0.1', () => r()));
          client.close();
          await until(() => sensor.counters.received === 5, '5 datagrams');
          assert.deepEqual(sensor.counters.snapshot(), { received: 5, decoded: 3, normalised: 2, unknown: 1, malformed: 2, dropped: 0 });
          assert.deepEqual(
            events.map((e) => e.type),
            ['network.bgp_peer_state_changed', 'network.bgp_peer_state_changed', 'network.syslog'],
          );
          const down = events[0]!;
          assert.equal(down.source, 'sensor:syslog');
          assert.equal(down.device, 'router-2');
          assert.deepEqual(
            [down.payload.device, down.payload.platform, down.payload.host, down.payload.state, down.payload.peer],
            ['router-2', 'frr', 'r2', 'idle', '10.0.12.1'],
          );
          assert.equal(events[2]!.device, 'vm');
          assert.ok(
            warnings.some((w) => /PRI 999 out of range/.test(w)),
            warnings.join('\n'),
          );
          assert.ok(warnings.some((w) => /empty message/.test(w)));
        } finally {
          await listener.close();
        }
      },
    );
});

describe('TCP', () => {
  test('octet counting and newline framing from one client, split across writes', async () => {
    const { sensor, events } = setup();
    const listener = new SyslogListener(sensor, { tcp: { host: '127.0.0.1', port: 0 } });
    const addr = await listener.start();
    try {
      const wire = Buffer.from(`${Buffer.byteLength(FRR_DOWN)} ${FRR_DOWN}${FRR_UP}\n${PLAIN}\n`);
      const sock = net.connect(addr.tcp!.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      for (let i = 0; i < wire.length; i += 37) {
        sock.write(wire.subarray(i, i + 37));
        await new Promise((r) => setImmediate(r));
      }
      sock.end();
      await until(() => events.length === 3, '3 events');
      assert.deepEqual(
        events.map((e) => e.payload.state ?? e.type),
        ['idle', 'established', 'network.syslog'],
      );
      assert.equal(sensor.counters.malformed, 0);
    } finally {
      await listener.close();
    }
  });

  test('an oversized frame is counted as malformed and the connection keeps working', async () => {
    const { sensor, events } = setup();
    const listener = new SyslogListener(sensor, { tcp: { host: '127.0.0.1', port: 0, maxFrameBytes: 512 } });
    const addr = await listener.start();
    try {
      const sock = net.connect(addr.tcp!.port, '127.0.0.1');
      sock.end(`<13>${'x'.repeat(2000)}\n${PLAIN}\n`);
      await until(() => events.length === 1 && sensor.counters.malformed === 1, 'one event and one malformed');
      assert.equal(sensor.counters.received, 2);
    } finally {
      await listener.close();
    }
  });
});

describe('TLS', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nrx-syslog-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('RFC 5425: octet-counted frames over TLS', async () => {
    const { sensor, events } = setup();
    const listener = new SyslogListener(sensor, {
      tls: { host: '127.0.0.1', port: 0, certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') },
    });
    const addr = await listener.start();
    try {
      const sock = tls.connect({ port: addr.tls!.port, host: '127.0.0.1', rejectUnauthorized: false });
      await new Promise((r) => sock.once('secureConnect', r));
      sock.end(`${Buffer.byteLength(FRR_DOWN)} ${FRR_DOWN}${Buffer.byteLength(PLAIN)} ${PLAIN}`);
      await until(() => events.length === 2, '2 events');
      assert.equal(events[0]!.type, 'network.bgp_peer_state_changed');
    } finally {
      await listener.close();
    }
  });

  test('an unreadable certificate file is a clear configuration error', async () => {
    const { sensor } = setup();
    const listener = new SyslogListener(sensor, { tls: { port: 0, certFile: path.join(dir, 'missing.pem'), keyFile: path.join(dir, 'key.pem') } });
    await assert.rejects(
      listener.start(),
      (e: Error & { code?: string }) => e.code === 'NRX_ERR_CONFIG' && /tls\.certFile .*missing\.pem cannot be read/.test(e.message),
    );
  });
});

describe('the sensor', () => {
  test('a publish callback that throws or rejects counts as dropped, never crashes', async () => {
    let n = 0;
    const { sensor } = setup((): void | Promise<void> => {
      n++;
      if (n === 1) throw new Error('bus closed');
      return Promise.reject(new Error('store full'));
    });
    assert.equal(sensor.handle(FRR_UP, '127.0.0.1'), null);
    assert.ok(sensor.handle(FRR_DOWN, '127.0.0.1'));
    await new Promise((r) => setImmediate(r));
    assert.equal(sensor.counters.dropped, 2);
    assert.equal(sensor.counters.normalised, 2);
  });

  test('the envelope time is the arrival time; the device time stays in the payload', () => {
    const events: EventEnvelope[] = [];
    const sensor = new SyslogSensor({ publish: (e) => void events.push(e), now: () => Date.parse('2026-11-22T00:10:00Z') });
    sensor.handle('<189>117: *Mar  1 00:00:00.123: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down', '192.0.2.7');
    assert.equal(events[0]!.time, '2026-11-22T00:10:00.000Z');
    assert.equal(events[0]!.payload.timestamp, '2026-03-01T00:00:00.123Z');
    assert.equal(events[0]!.device, '192.0.2.7');
  });

  test('malformed-input logging is rate limited: a garbage flood writes a bounded number of lines', () => {
    const { sensor, warnings } = setup();
    for (let i = 0; i < 1000; i++) sensor.handle('<abc>', '10.9.9.9');
    assert.equal(sensor.counters.malformed, 1000);
    assert.ok(warnings.length <= 10, `${warnings.length} log lines`);
  });
});
