import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDriver, type DeviceConnection } from '../../drivers/connect.js';
import { startReplayServer, type ReplayDevice, type ReplayServer } from './replay-server.js';

/** A Junos-like device: `admin@vmx1>` operational, `[edit]` + `admin@vmx1#` in configuration mode. */
const junos: ReplayDevice = {
  prompts: { privileged: 'admin@vmx1> ', config: 'admin@vmx1# ' },
  configPrefixLine: '[edit]',
  username: 'admin',
  password: 'juniper-1',
  responses: { 'show version': 'Hostname: vmx1\nModel: vmx\nJunos: 21.4R1.12', 'rollback 1': 'load complete' },
  configEnter: 'configure',
  configExit: ['exit configuration-mode'],
  unknown: () => '                 ^\nsyntax error.',
  pagingOff: ['set cli screen-length 0', 'set cli screen-width 0', 'set cli complete-on-space off'],
  configAccepts: /^(set|delete) /,
  candidate: { compare: 'show | compare', commit: 'commit', discard: 'rollback 0', replaceStart: 'load override terminal' },
};

describe('candidate configuration lifecycle on a replayed Junos device', () => {
  let server: ReplayServer;
  let conn: DeviceConnection;
  before(async () => {
    server = await startReplayServer(junos);
    const kh = join(mkdtempSync(join(tmpdir(), 'nrx-cand-')), 'known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
    conn = {
      device: 'vmx1',
      host: '127.0.0.1',
      port: server.port,
      username: 'admin',
      password: 'juniper-1',
      platform: 'juniper_junos',
      knownHostsFile: kh,
      hostKeyPolicy: 'strict',
      commandTimeoutMs: 2000,
    };
  });
  after(() => server.close());

  test('load merge -> compare shows the diff -> commit applies it; discard drops a candidate', async () => {
    const d = cliDriver(conn);
    try {
      const loaded = await d.loadMerge(['set interfaces ge-0/0/1 description uplink', 'set protocols bgp group ebgp neighbor 10.0.0.2 peer-as 65002']);
      assert.equal(loaded.failed, false);
      const diff = await d.compare();
      assert.match(diff, /\+ {2}set interfaces ge-0\/0\/1 description uplink/);
      assert.doesNotMatch(diff, /\[edit\]\s*$/, 'the prompt line above the prompt is not output');
      assert.deepEqual(server.config, [], 'nothing applied before commit');
      const committed = await d.commit('netreflex test');
      assert.equal(committed.failed, false);
      assert.equal(server.config.length, 2);

      await d.loadMerge(['set system host-name other']);
      await d.discard();
      assert.equal(await d.compare(), '', 'empty candidate after discard');
      await d.discard();
      const [v] = await d.send(['show version']);
      assert.match(v!.output, /^Hostname: vmx1/, 'operational mode again, echo and prompt stripped');
    } finally {
      await d.close();
    }
  });

  test('a rejected line in a merge is a failed result; configure() then discards instead of committing', async () => {
    const d = cliDriver(conn);
    try {
      const before = server.config.length;
      const r = await d.configure(['set snmp community public', 'frobnicate everything']);
      assert.equal(r.failed, true);
      assert.match(r.results[1]!.failureReason!, /syntax error/);
      assert.equal(server.config.length, before, 'not committed');
    } finally {
      await d.close();
    }
  });

  test('load replace pastes a whole configuration; rollback commits an older one', async () => {
    const d = cliDriver(conn);
    try {
      const r = await d.loadReplace('system {\n  host-name vmx1;\n}\n');
      assert.equal(r.failed, false, JSON.stringify(r.results));
      assert.match(await d.compare(), /host-name vmx1;/);
      await d.discard();
      const rb = await d.rollback(1);
      assert.equal(rb.failed, false);
      assert.ok(server.received.includes('rollback 1'));
    } finally {
      await d.close();
    }
  });
});
