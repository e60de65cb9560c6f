import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { staticResolver, type CliResolver as DeviceResolver } from '../../../drivers/access/targets.js';
import { CliRunner } from '../../../src/executions/runners/cli.js';
import { declaredRunner } from '../../../src/executions/runners/registry.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../../drivers/replay-server.js';
import { testAction, testContext } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '../../drivers');
const NTC = join(FIXTURES, 'textfsm/fixtures/ntc');
const BGP = readFileSync(join(FIXTURES, 'fixtures/cisco_ios/bgp_neighbors/two_address_families/show_ip_bgp_summary.txt'), 'utf8');
const LLDP = readFileSync(join(FIXTURES, 'fixtures/cisco_ios/lldp_neighbors/long_names/show_lldp_neighbors.txt'), 'utf8');

describe('cli runner: parse: textfsm', () => {
  let server: ReplayServer;
  let resolver: DeviceResolver;
  before(async () => {
    server = await startReplayServer(ciscoLikeDevice('sw1', { 'sh ip bgp sum': BGP, 'show lldp neighbors': LLDP, 'show clock': '12:00:00 UTC' }));
    const dir = mkdtempSync(join(tmpdir(), 'nrx-textfsm-run-'));
    writeFileSync(join(dir, 'kh'), `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
    // the inventory says `ios`: the index's cisco_ios rows must still be found
    resolver = staticResolver([
      {
        name: 'sw1',
        hostname: '127.0.0.1',
        port: server.port,
        platform: 'ios',
        username: 'admin',
        password: 'secret-1',
        knownHostsFile: join(dir, 'kh'),
        hostKeyPolicy: 'strict',
      },
    ]);
  });
  after(() => server.close());
  beforeEach(() => {
    process.env.NETREFLEX_TEXTFSM_PATH = NTC;
  });

  test('the parameters are declared for the cli runner', () => {
    const cli = declaredRunner('cli')!.declaration.parameters;
    assert.deepEqual(cli.parse!.enum, ['none', 'textfsm']);
    assert.equal(cli.textfsm_template!.type, 'string');
  });

  test('each output gains its records from the template the index names for platform and command', async () => {
    const a = testAction('cli');
    const ctx = testContext(a);
    const r = await new CliRunner(resolver).run(a, { device: 'sw1', commands: ['sh ip bgp sum', 'show lldp neighbors'], parse: 'textfsm' }, ctx);
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error));
    const results = (r.result as { results: Array<{ command: string; output: string; parsed: Array<Record<string, unknown>> }> }).results;
    assert.deepEqual(
      results[0]!.parsed.map((n) => [n.AddressFamily, n.Neighbor, n.RemoteAs, n.State, n.PrefixesReceived]),
      [
        ['IPv4 Unicast', '10.0.14.4', '65001', '', '7'],
        ['VPNv4 Unicast', '10.10.13.3', '65001', '', '5'],
        ['VPNv4 Unicast', '10.10.14.4', '65001', 'Idle', ''],
      ],
    );
    assert.equal(results[0]!.output, BGP.trimEnd(), 'the raw output is kept');
    assert.deepEqual(
      results[1]!.parsed.map((n) => n.Neighbor),
      ['twb-sf-hpsw1.local.d', 'twb-sf-hpsw2'],
    );
    assert.ok(
      ctx.lines.some((l) => /3 TextFSM records \(.*cisco_ios_show_ip_bgp_summary\.textfsm\)/.test(l)),
      ctx.lines.join('\n'),
    );
  });

  test('textfsm_template names one template inside NETREFLEX_TEXTFSM_PATH; a path outside it is refused', async () => {
    const a = testAction('cli');
    const ok = await new CliRunner(resolver).run(
      a,
      { device: 'sw1', command: 'show lldp neighbors', parse: 'textfsm', textfsm_template: 'cisco_ios_show_lldp_neighbors.textfsm' },
      testContext(a),
    );
    assert.equal(ok.status, 'succeeded', JSON.stringify(ok.error));
    assert.equal((ok.result as { results: Array<{ parsed: unknown[] }> }).results[0]!.parsed.length, 2);
    const escape = await new CliRunner(resolver).run(
      a,
      { device: 'sw1', command: 'show lldp neighbors', parse: 'textfsm', textfsm_template: '../../../../../../etc/passwd' },
      testContext(a),
    );
    assert.equal(escape.status, 'failed');
    assert.equal(escape.error?.code, 'NRX_ERR_PARAM_INVALID');
    assert.match(escape.error!.message, /not a file inside NETREFLEX_TEXTFSM_PATH/);
    assert.doesNotMatch(escape.error!.message, /root:/);
  });

  test('a command without a template fails with the outputs kept; a bad parse value or no NETREFLEX_TEXTFSM_PATH is refused', async () => {
    const a = testAction('cli');
    const none = await new CliRunner(resolver).run(a, { device: 'sw1', commands: ['show lldp neighbors', 'show clock'], parse: 'textfsm' }, testContext(a));
    assert.equal(none.status, 'failed');
    assert.equal(none.error?.code, 'NRX_ERR_UNSUPPORTED');
    assert.match(none.error!.message, /sw1.*'show clock'.*no TextFSM template for platform cisco_ios/);
    assert.equal((none.result as { results: unknown[] }).results.length, 2);
    const bad = await new CliRunner(resolver).run(a, { device: 'sw1', command: 'show clock', parse: 'ttp' }, testContext(a));
    assert.equal(bad.error?.code, 'NRX_ERR_PARAM_INVALID');
    delete process.env.NETREFLEX_TEXTFSM_PATH;
    const unset = await new CliRunner(resolver).run(a, { device: 'sw1', command: 'show lldp neighbors', parse: 'textfsm' }, testContext(a));
    assert.equal(unset.error?.code, 'NRX_ERR_CONFIG');
    assert.match(unset.error!.message, /NETREFLEX_TEXTFSM_PATH is not set/);
    const plain = await new CliRunner(resolver).run(a, { device: 'sw1', command: 'show clock' }, testContext(a));
    assert.equal(plain.status, 'succeeded', 'without parse nothing needs the template path');
  });
});
