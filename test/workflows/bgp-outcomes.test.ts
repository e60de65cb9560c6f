import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 * device whose `show ip bgp summary` has one peer per case.
 */
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
    router = await startReplayServer(ciscoLikeDevice('rtr1', { 'show ip bgp summary': SUMMARY, 'clear ip bgp 10.0.12.2 soft': '' }));
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
  async function remediate(params: Record<string, unknown>, comesBack: boolean): Promise<{ outcome: string | null; status: string; tasks: string[] }> {
    const wf = await a.engine.request('remediation.bgp_peer_down', { state: 'idle', recovery_timeout: comesBack ? '30s' : '300ms', ...params });
    if (comesBack) {
      for (let i = 0; i < 1000 && !(await a.store.listTasks(wf.id)).some((t) => t.taskName === 'wait_established'); i++)
        await new Promise((r) => setTimeout(r, 10));
      await a.emit(makeEvent('network.bgp_peer_state_changed', { device: params.device, peer: params.peer, state: 'established' }));
    }
    const done = await a.engine.wait(wf.id);
    const tasks = (await a.store.listTasks(wf.id)).sort((x, y) => x.seq - y.seq).map((t) => t.taskName);
    return { outcome: outcomeOf(done), status: done.status, tasks };
  }

  test('a session that is down is soft-cleared and comes back: repaired', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.2' }, true);
    assert.deepEqual(r, { outcome: 'repaired', status: 'succeeded', tasks: ['note', 'diagnose', 'repair', 'wait_established', 'recovered'] });
    assert.ok(router.received.includes('clear ip bgp 10.0.12.2 soft'));
  });

  test('a session shut by configuration is not touched: left alone', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.3' }, false);
    assert.deepEqual(r, { outcome: 'left alone', status: 'succeeded', tasks: ['note', 'diagnose', 'administratively_down'] });
  });

  test('a session already established again when read: nothing to do', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.4' }, false);
    assert.deepEqual(r, { outcome: 'nothing to do', status: 'succeeded', tasks: ['note', 'diagnose', 'recovered'] });
  });

  test('back by itself with no clear sent (soft_clear false): nothing to do', async () => {
    const r = await remediate({ device: 'rtr1', peer: '10.0.12.2', soft_clear: false }, true);
    assert.equal(r.outcome, 'nothing to do');
    assert.ok(!r.tasks.includes('repair'));
  });

  test('not back in time: escalated, and still succeeded (the run worked; the fault did not clear)', async () => {
    const r = await remediate({ device: 'gone', peer: '10.0.99.1' }, false);
    assert.deepEqual([r.outcome, r.status, r.tasks.at(-1)], ['escalated', 'succeeded', 'escalate']);
  });

  test('the escalation chain a throttle starts says escalated too; labels are bounded', async () => {
    const chain = await a.engine.run('remediation.escalate_bgp', { device: 'rtr1', peer: '10.0.12.2', reason: 'flapping' });
    assert.equal(outcomeOf(chain), 'escalated');
    assert.equal(outcomeLabel({ status: 'succeeded', result: { output: { outcome: 'made coffee' } } }), 'other');
    assert.equal(outcomeOf({ result: { output: { outcome: 'made coffee' } } }), 'made coffee');
    assert.equal(outcomeLabel({ status: 'succeeded', result: { output: {} } }), 'unset');
    assert.equal(outcomeLabel({ status: 'timeout', result: null }), 'timeout');
    assert.equal(outcomeOf({ result: { output: { outcome: 7 } } }), null);
  });
});
