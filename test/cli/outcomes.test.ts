import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../src/cli/api-client.js';
import { cli, liveAppliance, type LiveAppliance } from './cli-harness.js';

/**
 * Outcomes you can read, through the real CLI and API: a rule's remediation ends `succeeded`
 * and says `escalated` in execution list/get, the API, the metrics and the event's decision
 * trail; event list shows the rules that fired through the API as offline; an event of a type
 * nothing declares is refused.
 */
describe('outcomes and events through the API', () => {
  let live: LiveAppliance;
  let api: ApiClient;
  let env: Record<string, string>;
  let eventId: string;
  let executionId: string;
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-outcome-'));
  const rule = 'demo.escalate_on_kind';

  before(async () => {
    live = await liveAppliance();
    const key = (await live.auth.createApiKey({ user: 'admin', role: 'admin', grants: {} })).key;
    api = new ApiClient({ url: live.url, apiKey: key });
    env = { NETREFLEX_URL: live.url, NETREFLEX_API_KEY: key, NO_COLOR: '1', XDG_CONFIG_HOME: tmp };
    // the shipped escalation chain, started by a rule on a hand-made event
    await api.createRule({
      name: 'escalate_on_kind',
      pack: 'demo',
      enabled: true,
      trigger: { type: 'core.event' },
      criteria: { 'trigger.kind': { type: 'equals', pattern: 'escalate-me' } },
      action: { ref: 'remediation.escalate_bgp', parameters: { device: 'r1', peer: '10.0.0.9', reason: 'test' } },
    });
    eventId = (await api.emitEvent('core.event', { kind: 'escalate-me' })).id;
    for (let i = 0; i < 200; i++) {
      const ev = await api.getEvent(eventId);
      const started = ev.enforcements?.find((e) => e.ruleRef === rule)?.executionId;
      if (started && (await api.getExecution(started)).status === 'succeeded') {
        executionId = started;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(executionId, 'the rule started the escalation and it ended');
  });
  after(async () => {
    await live.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('execution list and get show the outcome beside the status (CLI and API)', async () => {
    const list = await cli(['execution', 'list', '--rule', rule], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+ACTION\s+STATUS\s+OUTCOME\b/m);
    assert.match(list.stdout, new RegExp(`${executionId}\\s+remediation\\.escalate_bgp\\s+succeeded\\s+escalated\\s`));
    const get = await cli(['execution', 'get', executionId], env);
    assert.match(get.stdout, /status:\s+succeeded\noutcome:\s+escalated\n/);
    const json = JSON.parse((await cli(['execution', 'get', executionId, '--json'], env)).stdout) as { outcome: string };
    assert.equal(json.outcome, 'escalated');
    const page = await api.listExecutions({ rule });
    assert.equal((page.items[0] as unknown as { outcome: string }).outcome, 'escalated');
  });

  test("the event's decision trail names the rule, its decision, and the execution's status and outcome", async () => {
    const ev = (await api.getEvent(eventId)) as unknown as { enforcements: Array<{ ruleRef: string; execution: { status: string; outcome: string } }> };
    const mine = ev.enforcements.find((e) => e.ruleRef === rule)!;
    assert.deepEqual([mine.execution.status, mine.execution.outcome], ['succeeded', 'escalated']);
    const r = await cli(['event', 'get', eventId], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RULE\s+DECISION\s+EXECUTION\s+STATUS\s+OUTCOME/);
    assert.match(r.stdout, new RegExp(`${rule.replace('.', '\\.')}\\s+executed\\s+${executionId}\\s+succeeded\\s+escalated`));
  });

  test('metrics count remediations by rule and outcome', async () => {
    const metrics = await (await fetch(`${live.url}/metrics`, { headers: { 'x-api-key': api.config.apiKey! } })).text();
    assert.match(metrics, new RegExp(`netreflex_remediations_total\\{rule="${rule}",outcome="escalated"\\} 1\\n`));
  });

  test('event list through the API shows which rules fired, as it does offline', async () => {
    const r = await cli(['event', 'list', '--type', 'core.event'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${eventId}.*${rule.replace('.', '\\.')}:executed`));
  });

  test('event emit of a type nothing declares is refused with NRX_ERR_TRIGGER_UNKNOWN and the likely type', async () => {
    const r = await cli(['event', 'emit', 'network.bgp_peer_down', 'device=r1', 'peer=10.0.12.2'], env);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /NRX_ERR_TRIGGER_UNKNOWN: no trigger type 'network\.bgp_peer_down' is registered and no rule names it.*did you mean 'network\.bgp_peer_state_changed'\?/,
    );
    // a type a rule names is declared by it
    await api.createRule({ name: 'custom_type', pack: 'demo', trigger: { type: 'demo.custom_thing' }, action: { ref: 'core.noop' } });
    const ok = await cli(['event', 'emit', 'demo.custom_thing', 'x=1'], env);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('offline, on the data directory, an undeclared type is refused the same way and nothing is queued', async () => {
    const local = { XDG_CONFIG_HOME: tmp, NETREFLEX_DATA_DIR: live.dataDir, NO_COLOR: '1' };
    const before = (await live.appliance.store.listTriggerInstances({ limit: 1000 })).length;
    const r = await cli(['event', 'emit', 'network.bgp_peer_down', 'device=r1'], local);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NRX_ERR_TRIGGER_UNKNOWN.*did you mean 'network\.bgp_peer_state_changed'/);
    assert.equal((await live.appliance.store.listTriggerInstances({ limit: 1000 })).length, before);
    const list = await cli(['event', 'list', '--type', 'core.event'], local);
    assert.match(list.stdout, new RegExp(`${eventId}.*${rule.replace('.', '\\.')}:executed`), 'offline shows the same rules column');
  });
});
