import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { silentLogger } from '../../src/core/log.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { InventoryService } from '../../src/inventory/inventory-service.js';
import { bindSensors } from '../../src/sensors/bind-sensors.js';
import { SensorSet, type Sensor } from '../../src/sensors/sensor.js';
import { TimerSensor } from '../../src/sensors/timer/timer-sensor.js';
import { WebhookSensor } from '../../src/sensors/webhook/webhook-sensor.js';

function fake(name: string, log: string[], fail = false): Sensor {
  return {
    name,
    start: async () => {
      if (fail) throw new Error(`${name} cannot bind`);
      log.push(`start ${name}`);
    },
    stop: async () => void log.push(`stop ${name}`),
    counters: () => ({ [name]: { received: log.length } }),
    addresses: () => ({ [`${name}/udp`]: `127.0.0.1:${name.length}` }),
  };
}

test('a sensor set starts and stops its sensors in order and merges their counters and addresses', async () => {
  const log: string[] = [];
  const set = new SensorSet([fake('syslog', log), fake('sflow', log)]);
  await set.start();
  assert.deepEqual(log, ['start syslog', 'start sflow']);
  assert.deepEqual(set.addresses(), { 'syslog/udp': '127.0.0.1:6', 'sflow/udp': '127.0.0.1:5' });
  assert.deepEqual(Object.keys(set.counters()), ['syslog', 'sflow']);
  assert.equal(set.get('sflow')?.name, 'sflow');
  await set.stop();
  assert.deepEqual(log.slice(2), ['stop syslog', 'stop sflow']);
});

test('when one sensor cannot start, the ones started before it are stopped and the error names it', async () => {
  const log: string[] = [];
  const set = new SensorSet([fake('syslog', log), fake('snmptrap', log, true), fake('sflow', log)]);
  await assert.rejects(
    set.start((s, e) => new Error(`sensor ${s.name}: ${(e as Error).message}`)),
    /sensor snmptrap: snmptrap cannot bind/,
  );
  assert.deepEqual(log, ['start syslog', 'stop syslog']);
});

test('bindSensors names the sensor, port and flag when a port is in use, and closes the ones it opened', async () => {
  const busy = dgram.createSocket('udp4');
  await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
  const taken = busy.address().port;
  const inventory = { listHosts: async () => [], resolvedHosts: () => new Map() } as unknown as InventoryService;
  const deps = { publish: async (_e: EventEnvelope) => {}, inventory, log: silentLogger };
  try {
    await assert.rejects(
      bindSensors({ host: '127.0.0.1', syslogUdpPort: 0, syslogTcpPort: 0, syslogTls: null, trapPort: 0, sflowPort: taken }, deps),
      (e: Error & { code?: string }) =>
        e.code === 'NRX_ERR_CONFIG' && /sensor sflow cannot listen on 127\.0\.0\.1 port \d+\/udp: the port is in use.*--sflow-port off/.test(e.message),
    );
    // and the same set without sFlow binds and reports its listeners
    const running = await bindSensors({ host: '127.0.0.1', syslogUdpPort: 0, syslogTcpPort: 0, syslogTls: null, trapPort: 0, sflowPort: null }, deps);
    assert.deepEqual(Object.keys(running.addresses).sort(), ['snmptrap/udp', 'syslog/tcp', 'syslog/udp']);
    assert.deepEqual(Object.keys(running.counters()).sort(), ['snmptrap', 'syslog']);
    // every UDP listener reports the kernel's drops for its socket (none here)
    assert.equal(running.counters().snmptrap!.kernel_dropped, 0);
    assert.equal(running.counters().syslog!.kernel_dropped, 0);
    await running.stop();
  } finally {
    busy.close();
  }
});

test('timer and webhook sensors speak the same interface', async () => {
  const rules = [{ ref: 'a.tick', enabled: true, file: 'a.yaml', trigger: { type: 'core.st2.IntervalTimer', parameters: { unit: 'hours', delta: 1 } } }];
  const timer = new TimerSensor(
    () => {},
    silentLogger,
    Date.now,
    () => rules,
  );
  await timer.start();
  assert.deepEqual(timer.counters(), { timer: { fired: 0, invalid: 0, armed: 1 } });
  await timer.stop();
  assert.equal(timer.size, 0);
  const webhook = new WebhookSensor();
  webhook.counts.of('alertmanager').refused++;
  assert.equal(webhook.counters()['webhook/alertmanager']?.refused, 1);
});
