import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Appliance, loadContent } from '../../src/appliance.js';
import { loadConfig, REPO_ROOT } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';
import { testRule } from '../../src/rules/rule-tester.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-shipped-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the shipped packs/ and workflows/ load without a single error', () => {
  const c = loadContent([path.join(REPO_ROOT, 'packs'), path.join(REPO_ROOT, 'workflows')]);
  assert.deepEqual(
    c.errors.map((e) => e.message),
    [],
  );
  assert.ok(c.loaded.actions.has('remediation.bgp_peer_down'));
  assert.ok(c.rules.some((r) => r.ref === 'remediation.bgp_peer_down' && r.enabled));
});

test('the BGP rule matches a peer leaving established and renders the workflow input', () => {
  const ev = path.join(tmp, 'down.json');
  writeFileSync(
    ev,
    JSON.stringify({
      trigger: 'network.bgp_peer_state_changed',
      payload: { device: 'r1', peer: '10.0.12.2', state: 'idle', reason: 'Peer closed the session' },
    }),
  );
  const r = testRule(path.join(REPO_ROOT, 'workflows/rules/bgp_peer_down.yaml'), ev);
  assert.equal(r.exitCode, 0);
  // recovery_timeout is the datastore's remediation.bgp.recovery_timeout, else 120s
  assert.deepEqual(r.parameters, {
    device: 'r1',
    peer: '10.0.12.2',
    state: 'idle',
    reason: 'Peer closed the session',
    log_line: null,
    recovery_timeout: '120s',
  });
});

test('bgp_peer_down: recovers when the peer is established again, escalates when it is not', async () => {
  const a = new Appliance({ config: loadConfig({ dataDir: path.join(tmp, 'data') }, {}), log: silentLogger });
  await a.start();
  try {
    const wf = await a.engine.request('remediation.bgp_peer_down', { device: 'r1', peer: '10.0.12.2', state: 'idle', recovery_timeout: '5s' });
    for (let i = 0; i < 300 && !(await a.store.listTasks(wf.id)).some((t) => t.taskName === 'wait_established'); i++)
      await new Promise((r) => setTimeout(r, 10));
    await a.emit(makeEvent('network.bgp_peer_state_changed', { device: 'r1', peer: '10.0.12.2', state: 'established' }));
    const ok = await a.engine.wait(wf.id);
    assert.equal(ok.status, 'succeeded');
    const names = (await a.store.listTasks(wf.id)).sort((x, y) => x.seq - y.seq).map((t) => t.taskName);
    assert.deepEqual(names.slice(0, 2), ['note', 'diagnose']);
    assert.deepEqual(
      names.slice(2, 5).sort(),
      ['collect', 'repair', 'wait_established'],
      'r1 is not in the inventory: diagnose fails and the workflow still waits (and tries the rest)',
    );
    assert.deepEqual(names.slice(5), ['recovered', 'announce_recovery', 'notify_recovery']);

    const stuck = await a.engine.run('remediation.bgp_peer_down', { device: 'r2', peer: '10.0.23.3', recovery_timeout: '200ms' });
    const tasks = (await a.store.listTasks(stuck.id)).sort((x, y) => x.seq - y.seq);
    const status = (name: string): string | undefined => tasks.find((t) => t.taskName === name)?.status;
    assert.deepEqual(
      ['note', 'diagnose', 'wait_established', 'collect', 'repair', 'escalate'].map((n) => `${n}:${status(n)}`),
      ['note:succeeded', 'diagnose:failed', 'wait_established:timeout', 'collect:succeeded', 'repair:failed', 'escalate:succeeded'],
    );
    assert.equal(tasks.at(-1)!.taskName, 'escalate');
    const escalation = await a.store.getExecution(tasks.at(-1)!.executionId!);
    const echo = (await a.store.listExecutions({ parentId: escalation!.id })).find((e) => e.action === 'core.echo');
    assert.match((echo?.result as { stdout: string }).stdout, /ESCALATE: BGP peer 10\.0\.23\.3 on r2: not established within 200ms/);
  } finally {
    await a.stop();
  }
});
