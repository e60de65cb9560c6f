import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CliConfigRunner } from '../../../src/executions/runners/cli-config.js';
import { staticResolver, type CliResolver as DeviceResolver } from '../../../drivers/access/targets.js';
import { CliRunner } from '../../../src/executions/runners/cli.js';
import { GetterRunner } from '../../../src/executions/runners/getter.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../../drivers/replay-server.js';
import { testAction, testContext } from './helpers.js';

const BGP = `Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
10.0.0.2        4        65002      26      27        9    0    0 00:20:06        7`;

describe('cli, cli-config and getter runners', () => {
  let server: ReplayServer;
  let resolver: DeviceResolver;
  before(async () => {
    server = await startReplayServer(
      ciscoLikeDevice(
        'sw1',
        { 'show ip bgp summary': BGP, 'show clock': '12:00:00 UTC' },
        { delays: { 'show slow': 3000 }, configAccepts: /^(interface|description)/ },
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), 'nrx-run-'));
    writeFileSync(join(dir, 'kh'), `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
    resolver = staticResolver([
      {
        name: 'sw1',
        hostname: '127.0.0.1',
        port: server.port,
        platform: 'cisco_ios',
        username: 'admin',
        password: 'secret-1',
        knownHostsFile: join(dir, 'kh'),
        hostKeyPolicy: 'strict',
      },
    ]);
  });
  after(() => server.close());

  test('cli: outputs per command; a rejected command fails the action but keeps every result', async () => {
    const runner = new CliRunner(resolver);
    const a = testAction('cli');
    const ok = await runner.run(a, { device: 'sw1', commands: ['show clock'] }, testContext(a));
    assert.equal(ok.status, 'succeeded');
    assert.equal((ok.result as { results: Array<{ output: string }> }).results[0]!.output, '12:00:00 UTC');
    const bad = await runner.run(a, { device: 'sw1', command: 'show clock\nshow bogus' }, testContext(a));
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error?.code, 'NRX_ERR_COMMAND_REJECTED');
    assert.match(bad.error!.message, /sw1.*show bogus/);
    assert.equal((bad.result as { results: unknown[] }).results.length, 2);
  });

  test('cli: unknown device and device timeout are failures with their codes, not exceptions', async () => {
    const runner = new CliRunner(resolver);
    const a = testAction('cli');
    const unknown = await runner.run(a, { device: 'nope', commands: ['show clock'] }, testContext(a));
    assert.equal(unknown.error?.code, 'NRX_ERR_DEVICE_NOT_FOUND');
    const slow = await runner.run(a, { device: 'sw1', commands: ['show slow'], command_timeout: 0.3 }, testContext(a));
    assert.equal(slow.status, 'timeout');
    assert.equal(slow.error?.code, 'NRX_ERR_DEVICE_TIMEOUT');
    const noParams = await runner.run(a, { device: 'sw1' }, testContext(a));
    assert.equal(noParams.error?.code, 'NRX_ERR_PARAM_INVALID');
  });

  test('cli: cancel closes the session and reports canceled', async () => {
    const runner = new CliRunner(resolver);
    const a = testAction('cli');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runner.run(a, { device: 'sw1', commands: ['show slow'] }, testContext(a, ac.signal));
    assert.equal(r.error?.code, 'NRX_ERR_CANCELED');
  });

  test('cli-config: lines in config mode; a rejected line fails with the line named', async () => {
    const runner = new CliConfigRunner(resolver);
    const a = testAction('cli-config');
    const ok = await runner.run(a, { device: 'sw1', lines: ['interface Gi0/2', 'description core'] }, testContext(a));
    assert.equal(ok.status, 'succeeded');
    assert.ok(server.config.includes('description core'));
    const bad = await runner.run(a, { device: 'sw1', config: 'interface Gi0/2\nshutdown now please' }, testContext(a));
    assert.equal(bad.status, 'failed');
    assert.match(bad.error!.message, /shutdown now please/);
  });

  test('getter: the vendor-neutral model; an unknown getter or one the platform lacks is a clear failure', async () => {
    const runner = new GetterRunner(resolver);
    const a = testAction('getter');
    const r = await runner.run(a, { device: 'sw1', getter: 'bgp_neighbors' }, testContext(a));
    assert.equal(r.status, 'succeeded');
    const res = r.result as { device: string; neighbors: Array<{ peer: string; state: string; prefixesReceived: number }> };
    assert.equal(res.device, 'sw1');
    assert.deepEqual(
      res.neighbors.map((n) => [n.peer, n.state, n.prefixesReceived]),
      [['10.0.0.2', 'established', 7]],
    );
    const bad = await runner.run(a, { device: 'sw1', getter: 'arp' }, testContext(a));
    assert.equal(bad.error?.code, 'NRX_ERR_PARAM_INVALID');
    // IOS fills every NAPALM getter; VXLAN segments are read only from Linux-kernel switches
    const lacking = await runner.run(a, { device: 'sw1', getter: 'vxlan_vnis' }, testContext(a));
    assert.equal(lacking.error?.code, 'NRX_ERR_UNSUPPORTED');
  });
});
