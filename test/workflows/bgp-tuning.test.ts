import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';

/**
 * The shipped BGP rule is tuned from the datastore, not by editing it:
 * remediation.bgp.hold_down and remediation.bgp.recovery_timeout (system scope).
 */
describe('remediation.bgp_peer_down reads its hold-down and recovery timeout from the datastore', { timeout: 60_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-bgp-tuning-'));
  let a: Appliance;
  before(async () => {
    a = new Appliance({ config: loadConfig({ dataDir: path.join(tmp, 'data') }, {}), log: silentLogger });
    await a.start();
  });
  after(async () => {
    await a?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const downEvent = (peer: string) =>
    makeEvent('network.bgp_peer_state_changed', { device: 'r9', peer, state: 'idle', reason: 'Peer closed the session', message: `neighbor ${peer} Down` });

  async function decisionsFor(eventId: string, until: (outcomes: string[]) => boolean) {
    for (let i = 0; i < 300; i++) {
      const enf = await a.store.listEnforcements({ triggerInstanceId: eventId, ruleRef: 'remediation.bgp_peer_down' });
      if (until(enf.map((e) => e.outcome))) return enf;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`no such decisions for event ${eventId}`);
  }

  test('nothing set: held for the shipped 15 s', async () => {
    const ev = downEvent('10.9.0.1');
    await a.emit(ev);
    const [d] = await decisionsFor(ev.id, (o) => o.includes('held'));
    assert.match(d!.reason!, /^hold_down 15s for key 'r9\/10\.9\.0\.1'/);
  });

  test('hold_down 0 fires at once, with the recovery timeout set in the datastore', async () => {
    await a.kv.set('system', 'remediation.bgp.hold_down', '0');
    await a.kv.set('system', 'remediation.bgp.recovery_timeout', '250ms');
    const ev = downEvent('10.9.0.2');
    await a.emit(ev);
    const enf = await decisionsFor(ev.id, (o) => o.includes('executed'));
    assert.ok(!enf.some((e) => e.outcome === 'held'));
    const wf = await a.store.getExecution(enf.find((e) => e.outcome === 'executed')!.executionId!);
    assert.equal(wf!.parameters.recovery_timeout, '250ms');
    assert.equal(wf!.parameters.log_line, 'neighbor 10.9.0.2 Down');
    const done = await a.engine.wait(wf!.id);
    assert.equal((done.result as { output: { outcome: string } }).output.outcome, 'escalated');
  });

  test('a hold-down that is no duration: the decision fails and says why', async () => {
    await a.kv.set('system', 'remediation.bgp.hold_down', 'a while');
    const ev = downEvent('10.9.0.3');
    await a.emit(ev);
    const [d] = await decisionsFor(ev.id, (o) => o.includes('failed'));
    assert.match(d!.reason!, /hold_down for: .*invalid duration "a while"/);
  });
});
