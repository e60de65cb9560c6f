import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticEndpointResolver as staticDeviceResolver } from '../../../drivers/access/targets.js';
import { NetconfRunner } from '../../../src/executions/runners/netconf.js';
import { SnmpRunner } from '../../../src/executions/runners/snmp.js';
import { testAction, testContext } from './helpers.js';

// Live runs against netconfd and snmpd are in test/lab/netconf-snmp.test.ts; these need no peer.
const devices = staticDeviceResolver([
  { name: 'leaf1', host: '127.0.0.1', username: 'u', password: 'p', netconf: { port: 1 } },
  { name: 'nosnmp', host: '127.0.0.1' },
]);

test('netconf runner: missing device, unknown operation, unknown device and a refused connection are failed results', async () => {
  const runner = new NetconfRunner(devices);
  const action = testAction('netconf');
  const none = await runner.run(action, {}, testContext(action));
  assert.equal(none.error?.code, 'NRX_ERR_PARAM_INVALID');
  const op = await runner.run(action, { device: 'leaf1', operation: 'reboot' }, testContext(action));
  assert.match(op.error?.message ?? '', /unknown NETCONF operation 'reboot'/);
  const unknown = await runner.run(action, { device: 'spine9' }, testContext(action));
  assert.equal(unknown.error?.code, 'NRX_ERR_DEVICE_NOT_FOUND');
  const refused = await runner.run(action, { device: 'leaf1' }, testContext(action));
  assert.equal(refused.status, 'failed');
  assert.equal(refused.error?.code, 'NRX_ERR_DEVICE_UNREACHABLE');
  assert.match(refused.error?.message ?? '', /leaf1: cannot open an SSH connection to 127\.0\.0\.1:1: ECONNREFUSED/);
});

test('snmp runner: parameters are checked before anything is sent', async () => {
  const runner = new SnmpRunner(devices);
  const action = testAction('snmp');
  assert.match((await runner.run(action, { device: 'nosnmp', oids: ['sysName.0'] }, testContext(action))).error?.message ?? '', /no SNMP credentials/);
  assert.match((await runner.run(action, { device: 'leaf1', operation: 'trap' }, testContext(action))).error?.message ?? '', /unknown SNMP operation 'trap'/);
  assert.equal((await runner.run(action, { oids: ['sysName.0'] }, testContext(action))).error?.code, 'NRX_ERR_PARAM_INVALID');
});
