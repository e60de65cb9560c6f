import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';
import { outcomeLabel, outcomeOf } from '../../src/executions/outcome.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../drivers/replay-server.js';

/**
 * Outcomes you can read: the shipped BGP workflow says in its output what it did, so a repair
 * and an escalation (both `succeeded`) are told apart. The router is a replayed Cisco-like
 * device whose `show ip bgp summary` has one peer per case. No chat, webhook or ticket system is
 * configured here: the remediation still runs and its notes say what was skipped.
 */
const DIAGNOSTICS: Record<string, string> = {
  'show ip route 10.0.12.2':
    'Routing entry for 10.0.12.0/30\n  Known via "connected", distance 0, metric 0 (connected)\n  * directly connected, via GigabitEthernet0/1',
  'show ip bgp neighbors 10.0.12.2':
    'BGP neighbor is 10.0.12.2,  remote AS 65002, external link\n  BGP state = Active\n  Last reset 00:00:12, due to Peer closed the session',
  'show interface GigabitEthernet0/1': 'GigabitEthernet0/1 is up, line protocol is up\n  Internet address is 10.0.12.1/30',
  'ping 10.0.12.2': 'Sending 5, 100-byte ICMP Echos to 10.0.12.2, timeout is 2 seconds:\n.....\nSuccess rate is 0 percent (0/5)',
};

/** index.json of a bundle (tar.gz), read with tar as an operator would. */
function bundleIndex(file: string): { label: string; commands: string[]; entries: Array<{ command: string; failed: boolean; file: string }> } {
  return JSON.parse(execFileSync('tar', ['-xzOf', file, '--wildcards', '*/index.json'], { encoding: 'utf8' }));
}
const SUMMARY = [
  'BGP router identifier 10.0.12.1, local AS number 65001',
  '',
  'Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd',
  '10.0.12.2       4        65002       0       0        1    0    0 never    Active',
  '10.0.12.3       4        65003       0       0        1    0    0 never    Idle (Admin)',
  '10.0.12.4       4        65004     120     118       42    0    0 01:02:03        7',
].join('\n');

describe('remediation.bgp_peer_down sets an outcome', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-outcome-'));
  let router: ReplayServer;
  let a: Appliance;

  before(async () => {
    router = await startReplayServer(ciscoLikeDevice('rtr1', { 'show ip bgp summary': SUMMARY, 'clear ip bgp 10.0.12.2 soft': '', ...DIAGNOSTICS }));
    const knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${router.port} ${router.hostPublicKey}\n`);
    a = new Appliance({ config: loadConfig({ dataDir: path.join(tmp, 'data') }, {}), log: silentLogger, knownHostsFile: knownHosts });
    await a.start();
    await a.credentials.set('lab', { username: 'admin', password: 'secret-1' });
    await a.inventory.putHost({ name: 'rtr1', hostname: '127.0.0.1', port: router.port, platform: 'cisco_ios', credential: 'lab' });
  });
  after(async () => {
    await a?.stop();
    await router?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Run the workflow; when it reaches wait_established, the peer comes back. */
  async function remediate(
    params: Record<string, unknown>,
    comesBack: boolean,
  ): Promise<{ outcome: string | null; status: string; tasks: string[]; output: Record<string, unknown>; id: string }> {
    const wf = await a.engine.request('remediation.bgp_peer_down', { state: 'idle', recovery_timeout: comesBack ? '30s' : '300ms', ...params });
    if (comesBack) {
      for (let i = 0; i < 1000 && !(await a.store.listTasks(wf.id)).some((t) => t.taskName === 'wait_established'); i++)
        await new Promise((r) => setTimeout(r, 10));
      await a.emit(makeEvent('network.bgp_peer_state_changed', { device: params.device, peer: params.peer, state: 'established' }));
    }
    const done = await a.engine.wait(wf.id);
    const tasks = (await a.store.listTasks(wf.id)).sort((x, y) => x.seq - y.seq).map((t) => t.taskName);
    const output = ((done.result as { output?: Record<string, unknown> } | null)?.output ?? {}) as Record<string, unknown>;
    return { outcome: outcomeOf(done), status: done.status, tasks, output, id: done.id };
  }

  /** What the workflow announced on route chatops (the chat bot posts these). */
  async function announced(): Promise<string[]> {
    const events = await a.store.listTriggerInstances({ type: 'core.announcement' });
    return events.map((e) => String((e.payload.payload as { message?: unknown }).message));
  }

  const sorted = (xs: string[]): string[] => [...xs].sort();

  test('a session that is down is soft-cleared and comes back: repaired, diagnostics bundled, recovery announced', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.2', log_line: '%BGP-5-ADJCHANGE: neighbor 10.0.12.2 Down Peer closed the session' }, true);
    assert.deepEqual([r.outcome, r.status], ['repaired', 'succeeded']);
    // the wait, the diagnostics and the clear run side by side; then the recovery is announced
    assert.deepEqual(r.tasks.slice(0, 2), ['note', 'diagnose']);
    assert.deepEqual(sorted(r.tasks.slice(2, 5)), ['collect', 'repair', 'wait_established']);
    assert.deepEqual(r.tasks.slice(5), ['recovered', 'announce_recovery', 'notify_recovery']);
    assert.ok(router.received.includes('clear ip bgp 10.0.12.2 soft'));
    assert.ok((await announced()).some((m) => /^RECOVERED: BGP peer 10\.0\.12\.2 on rtr1 is established again \(repaired/.test(m)));
    // the interface toward the peer comes from the route, so its detail is in the bundle
    const index = bundleIndex(String(r.output.bundle));
    assert.equal(index.label, 'bgp/rtr1/10.0.12.2');
    assert.deepEqual(index.commands, ['show ip route 10.0.12.2', 'show ip bgp neighbors 10.0.12.2', 'show interface GigabitEthernet0/1', 'ping 10.0.12.2']);
    assert.ok(index.entries.some((e) => e.command === 'log lines received by netreflex' && e.file.endsWith('netreflex/recent-bgp-log.txt')));
    assert.ok(index.entries.filter((e) => e.command !== 'log lines received by netreflex').every((e) => !e.failed));
    // no webhook here: skipped with a note, and the repair still succeeded
    assert.ok(
      (r.output.notes as string[]).some((n) => /^webhook skipped: .*webhook_url/.test(n)),
      JSON.stringify(r.output.notes),
    );
    assert.equal(r.output.ticket, null);
  });

  test('a session shut by configuration is not touched: left alone', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.3' }, false);
    assert.deepEqual([r.outcome, r.status, r.tasks], ['left alone', 'succeeded', ['note', 'diagnose', 'administratively_down']]);
  });

  test('a session already established again when read: nothing to do', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.4' }, false);
    assert.deepEqual([r.outcome, r.status, r.tasks], ['nothing to do', 'succeeded', ['note', 'diagnose', 'recovered', 'announce_recovery', 'notify_recovery']]);
    assert.ok(!r.tasks.includes('collect'), 'nothing to diagnose');
    assert.ok((await announced()).some((m) => /^RECOVERED: BGP peer 10\.0\.12\.4 on rtr1 .*came back by itself/.test(m)));
  });

  test('back by itself with no clear sent (soft_clear false): nothing to do', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.2', soft_clear: false }, true);
    assert.equal(r.outcome, 'nothing to do');
    assert.ok(!r.tasks.includes('repair'));
  });

  test('not back in time: escalated, and still succeeded (the run worked; the fault did not clear)', async () => {
    const r = await remediate({ device: 'gone', peer: '10.0.99.1' }, false);
    assert.deepEqual([r.outcome, r.status, r.tasks.at(-1)], ['escalated', 'succeeded', 'escalate']);
    // no ticket system, no upload target, no webhook: each skipped with a note naming how to set it
    const notes = r.output.notes as string[];
    for (const re of [
      /^soft clear failed: .*gone/,
      /^not uploaded: .*upload is none/,
      /^ticket skipped: .*netreflex pack config ticket url=/,
      /^webhook skipped: /,
    ])
      assert.ok(
        notes.some((n) => re.test(n)),
        `${re} in ${JSON.stringify(notes)}`,
      );
    assert.ok(
      (await announced()).some((m) =>
        /^ESCALATED: BGP peer 10\.0\.99\.1 on gone: not established within 300ms after a soft clear\. No ticket \(ticket skipped/.test(m),
      ),
    );
    // the device is unknown: the bundle still says what was tried and why it failed
    assert.ok(existsSync(String(r.output.bundle)));
    assert.deepEqual(
      bundleIndex(String(r.output.bundle)).entries.map((e) => [e.command, e.failed]),
      [['show ip route 10.0.99.1', true]],
    );
  });

  test('the escalation chain a throttle starts says escalated too; labels are bounded', async () => {
    const chain = await a.engine.run('remediation.escalate_bgp', {
      device: 'rtr1',
      peer: '10.0.12.2',
      reason: 'Peer closed the session',
      escalation: { rule: 'remediation.bgp_peer_down', key: 'rtr1/10.0.12.2', count: 4, window: '1h' },
    });
    assert.equal(outcomeOf(chain), 'escalated');
    // the throttle's escalation says why a human is needed: the count, then this time's reason
    assert.ok(
      (await announced()).some((m) =>
        m.startsWith('ESCALATED: BGP peer 10.0.12.2 on rtr1: remediated 4 times within 1h (this time: Peer closed the session). No ticket'),
      ),
      JSON.stringify(await announced()),
    );
    assert.equal(outcomeLabel({ status: 'succeeded', result: { output: { outcome: 'made coffee' } } }), 'other');
    assert.equal(outcomeOf({ result: { output: { outcome: 'made coffee' } } }), 'made coffee');
    assert.equal(outcomeLabel({ status: 'succeeded', result: { output: {} } }), 'unset');
    assert.equal(outcomeLabel({ status: 'timeout', result: null }), 'timeout');
    assert.equal(outcomeOf({ result: { output: { outcome: 7 } } }), null);
  });
});
