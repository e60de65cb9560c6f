import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { ConnectionGate, sourceKey } from '../../../src/sensors/common/connection-gate.js';
import { descriptorReserve, openFileLimit, sensorConnectionBudget } from '../../../src/sensors/common/descriptors.js';

describe('connection gate', () => {
  test('a source counts as its IPv4 address (also IPv4-mapped) or its IPv6 /64', () => {
    assert.equal(sourceKey('192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(sourceKey('2001:db8:0:1:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
    assert.equal(sourceKey('2001:0db8:0000:0001::1'), '2001:db8:0:1::/64');
    assert.equal(sourceKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(sourceKey('::1'), '0:0:0:0::/64');
  });

  test('refuses past the per-source and the sensor limit, releases on close, counts both', async () => {
    const refused: string[] = [];
    const gate = new ConnectionGate({ maxConnections: 3, maxPerSource: 2, idleTimeoutMs: 0 }, (source, why) => refused.push(`${source} ${why}`));
    const server = net.createServer((s) => void gate.admit(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const open = (from: string): Promise<net.Socket> =>
      new Promise((resolve) => {
        const c = net.connect({ port, host: '127.0.0.1', localAddress: from });
        c.on('error', () => {});
        c.once('connect', () => resolve(c));
      });
    const until = async (cond: () => boolean): Promise<void> => {
      while (!cond()) await new Promise((r) => setTimeout(r, 5));
    };
    try {
      const a = [await open('127.0.0.1'), await open('127.0.0.1'), await open('127.0.0.1')];
      await until(() => gate.counts().connections_accepted + gate.counts().connections_refused_source_limit === 3);
      const b = [await open('127.0.0.2'), await open('127.0.0.2')];
      await until(() => gate.counts().connections_refused_sensor_limit === 1);
      assert.deepEqual(gate.counts(), {
        connections_open: 3,
        connections_accepted: 3,
        connections_refused_sensor_limit: 1,
        connections_refused_source_limit: 1,
        connections_closed_idle: 0,
      });
      assert.deepEqual(refused, ['127.0.0.1 source_limit', '127.0.0.2 sensor_limit']);
      a[0]!.destroy();
      await until(() => gate.counts().connections_open === 2);
      b.push(await open('127.0.0.2'));
      await until(() => gate.counts().connections_accepted === 4);
      for (const c of [...a, ...b]) c.destroy();
      await until(() => gate.counts().connections_open === 0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('file descriptor reserve', () => {
  const limits = (soft: string): string =>
    `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 1048576              files\n`;

  test('the soft limit is read from /proc/self/limits text; unlimited or missing is unknown', () => {
    assert.equal(openFileLimit(limits('1024')), 1024);
    assert.equal(openFileLimit(limits('unlimited')), undefined);
    assert.equal(openFileLimit('nothing here'), undefined);
    const own = openFileLimit();
    if (process.platform === 'linux') assert.ok(own !== undefined && own > 0);
  });

  test('the sensors keep max(256, 10%) of the limit free', () => {
    assert.equal(descriptorReserve(1024), 256);
    assert.equal(descriptorReserve(20_000), 2000);
    assert.equal(sensorConnectionBudget(1000, 1024), 768);
    assert.equal(sensorConnectionBudget(1000, 20_000), 1000);
    assert.equal(sensorConnectionBudget(50_000, 20_000), 18_000);
    assert.equal(sensorConnectionBudget(1000, 100), 1, 'a tiny limit still lets one device in');
    assert.equal(sensorConnectionBudget(1000, undefined), 1000);
  });
});
