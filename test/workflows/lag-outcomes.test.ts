import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';
import { outcomeOf } from '../../src/executions/outcome.js';
import { decideLagAction } from '../../workflows/actions/lib/lag-decision.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../drivers/replay-server.js';

/**
 * remediation.lag_member_down against replayed switches (platform openvswitch, the switch CLI's
 * recorded outputs): flapping -> shutdown; below the minimum links -> escalated, nothing sent;
 * down once -> watch, back -> nothing to do; up again -> nothing to do. No ticket or chat is
 * configured here: the workflow still decides and its notes say what was skipped.
 */
const FIX = path.join(import.meta.dirname, '../drivers/fixtures/openvswitch/lag_members');
const output = (c: string, f: string) => readFileSync(path.join(FIX, c, f), 'utf8');

describe('remediation.lag_member_down decides by the LAG and the flap count', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-lag-'));
  let down: ReplayServer;
  let up: ReplayServer;
  let a: Appliance;

  before(async () => {
    const config = { 'interface lagx1-a': '', shutdown: '' };
    down = await startReplayServer(
      ciscoLikeDevice('labsw1', {
        'show lag': output('member_shut', 'show_lag.txt'),
        // the link failed (admin up, oper down); the recorded output is of a member shut by configuration
        'show interfaces': output('member_shut', 'show_interfaces.txt').replace(/^lagx1-a(\s+)down  down/m, 'lagx1-a$1up    down'),
        ...config,
      }),
    );
    up = await startReplayServer(
      ciscoLikeDevice('labsw1', { 'show lag': output('negotiated', 'show_lag.txt'), 'show interfaces': output('negotiated', 'show_interfaces.txt') }),
    );
    const knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${down.port} ${down.hostPublicKey}\n[127.0.0.1]:${up.port} ${up.hostPublicKey}\n`);
    a = new Appliance({ config: loadConfig({ dataDir: path.join(tmp, 'data') }, {}), log: silentLogger, knownHostsFile: knownHosts });
    await a.start();
    await a.credentials.set('lab', { username: 'admin', password: 'secret-1' });
    for (const name of ['sw-flap', 'sw-min', 'sw-watch'])
      await a.inventory.putHost({ name, hostname: '127.0.0.1', port: down.port, platform: 'openvswitch', credential: 'lab' });
    await a.inventory.putHost({ name: 'sw-up', hostname: '127.0.0.1', port: up.port, platform: 'openvswitch', credential: 'lab' });
  });
  after(async () => {
    await a?.stop();
    await down?.close();
    await up?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Down events as the sensors send them: each down a new fault (an up in between). */
  async function flaps(device: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await a.emit(makeEvent('network.lag_member_down', { lag: 'bondA', member: 'lagx1-a' }, { device, source: 'sensor:syslog' }));
      await a.emit(makeEvent('network.lag_member_up', { lag: 'bondA', member: 'lagx1-a' }, { device, source: 'sensor:syslog' }));
    }
    await a.intake.flush();
  }

  async function remediate(params: Record<string, unknown>, onWait?: () => Promise<void>) {
    const wf = await a.engine.request('remediation.lag_member_down', { lag: 'bondA', member: 'lagx1-a', ...params });
    if (onWait) {
      for (let i = 0; i < 1000 && !(await a.store.listTasks(wf.id)).some((t) => t.taskName === 'wait_member_up'); i++)
        await new Promise((r) => setTimeout(r, 10));
      await onWait();
    }
    const done = await a.engine.wait(wf.id);
    const tasks = (await a.store.listTasks(wf.id)).sort((x, y) => x.seq - y.seq).map((t) => t.taskName);
    const out = ((done.result as { output?: Record<string, unknown> } | null)?.output ?? {}) as Record<string, unknown>;
    return { outcome: outcomeOf(done), status: done.status, tasks, out };
  }

  test('a member that went down three times within the window is shut down on the switch: repaired', async () => {
    await flaps('sw-flap', 3);
    const before = down.received.length;
    const r = await remediate({ device: 'sw-flap' });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.out));
    assert.equal(r.outcome, 'repaired');
    assert.equal((r.out.assessment as { verdict: string; downs: number }).verdict, 'flapping');
    assert.equal((r.out.assessment as { downs: number }).downs, 3);
    assert.deepEqual(r.tasks.slice(0, 4), ['read_lag', 'assess', 'take_out', 'open_ticket']);
    const sent = down.received.slice(before);
    assert.ok(sent.includes('interface lagx1-a') && sent.indexOf('shutdown') > sent.indexOf('interface lagx1-a'), sent.join(' | '));
  });

  test('when the others up would be fewer than the minimum links: escalated at once, nothing sent to the switch', async () => {
    const before = down.received.length;
    const r = await remediate({ device: 'sw-min', min_links: 2 });
    assert.equal(r.outcome, 'escalated');
    assert.equal((r.out.assessment as { verdict: string }).verdict, 'below_min_links');
    assert.ok(!down.received.slice(before).includes('shutdown'));
    assert.ok(r.tasks.includes('open_ticket') && r.tasks.includes('chat') && !r.tasks.includes('take_out'));
  });

  test('down once: a ticket and a watch; the member comes back: nothing to do, the ticket step closes', async () => {
    await flaps('sw-watch', 1);
    const r = await remediate({ device: 'sw-watch', recovery_timeout: '20s' }, () =>
      a.emit(makeEvent('network.lag_member_up', { lag: 'bondA', member: 'LAGX1-A' }, { device: 'sw-watch', source: 'sensor:snmptrap' })),
    );
    assert.equal((r.out.assessment as { verdict: string }).verdict, 'watch');
    assert.equal(r.outcome, 'nothing to do', `${r.tasks.join(' ')} ${JSON.stringify(r.out)}`);
    assert.ok(r.tasks.includes('wait_member_up') && r.tasks.includes('close_ticket') && !r.tasks.includes('take_out'), r.tasks.join(' '));
  });

  test('up again when read and not flapping: nothing to do, no ticket', async () => {
    const r = await remediate({ device: 'sw-up' });
    assert.equal(r.outcome, 'nothing to do');
    assert.equal((r.out.assessment as { verdict: string }).verdict, 'recovered');
    assert.ok(!r.tasks.includes('open_ticket'));
  });
});

test('the decision: minimum links first, then the flap count, then the member state; the spread is reported', () => {
  const members = [
    { lag: 'bondA', member: 'lagx1-a', up: false, loadPercent: 44 },
    { lag: 'bondA', member: 'lagx2-a', up: true, loadPercent: 56 },
    { lag: 'bondB', member: 'lagx1-b', up: true },
  ];
  const base = { device: 'labsw1', member: 'lagx1-a', lag: null, members, minLinks: 1, flapCount: 3, windowSeconds: 60, downs: 1 };
  const d = decideLagAction(base);
  assert.deepEqual([d.verdict, d.lag, d.others_up, d.member_up, d.spread], ['watch', 'bondA', ['lagx2-a'], false, { 'lagx1-a': 44, 'lagx2-a': 56 }]);
  assert.equal(decideLagAction({ ...base, downs: 3 }).verdict, 'flapping');
  assert.equal(decideLagAction({ ...base, downs: 3, minLinks: 2 }).verdict, 'below_min_links', 'never take out what the LAG cannot spare');
  assert.equal(decideLagAction({ ...base, members: [{ ...members[0]!, up: true }, members[1]!] }).verdict, 'recovered');
  assert.equal(decideLagAction({ ...base, members: [] }).verdict, 'below_min_links', 'an unreadable LAG: no change');
  const shut = [{ ...members[0]!, adminUp: false }, members[1]!];
  assert.equal(decideLagAction({ ...base, downs: 5, members: shut }).verdict, 'left_alone', 'a member shut by configuration is not touched');
  assert.match(d.summary, /lagx1-a of bondA on labsw1: down .*\[lagx1-a down 44%, lagx2-a up 56%\]/);
});
