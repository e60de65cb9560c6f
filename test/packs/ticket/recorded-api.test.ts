/**
 * The ticket pack against Jira (REST v2 and v3) and ServiceNow (Table API) as their documentation
 * describes them (fake-trackers.ts checks each request's shape and answers as documented).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig, REPO_ROOT } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { PackConfigStore } from '../../../src/datastore/pack-config-store.js';
import type { ExecutionRecord } from '../../../src/store/records.js';
import { fakeJira, fakeServiceNow } from './fake-trackers.js';

const TICKET_PACK = path.join(REPO_ROOT, 'packs', 'ticket');
const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-ticket-api-'));
let appliance: Appliance;
let configs: PackConfigStore;
before(async () => {
  const dataDir = path.join(tmp, 'data');
  const flows = path.join(tmp, 'packs', 'nocflows');
  mkdirSync(path.join(flows, 'actions', 'workflows'), { recursive: true });
  writeFileSync(path.join(flows, 'pack.yaml'), 'ref: nocflows\nname: nocflows\nversion: 0.1.0\ndescription: test workflows\n');
  writeFileSync(
    path.join(flows, 'actions', 'lag_ticket.yaml'),
    'name: lag_ticket\nrunner_type: orquesta\nentry_point: workflows/lag_ticket.yaml\nparameters:\n  key: {type: string}\n  output: {type: string}\n',
  );
  writeFileSync(
    path.join(flows, 'actions', 'workflows', 'lag_ticket.yaml'),
    `version: 1.0
input: [key, output]
tasks:
  ticket:
    action: ticket.ensure
    input: { incident_key: "{{ ctx().key }}", subject: LAG degraded }
    next: [{ when: "{{ succeeded() }}", publish: [{ id: "{{ result().id }}" }], do: attach }]
  attach:
    action: ticket.attach
    input: { id: "{{ ctx().id }}", content: "{{ ctx().output }}", filename: show-bond.txt }
    next: [{ when: "{{ succeeded() }}", do: close }]
  close:
    action: ticket.resolve
    input: { id: "{{ ctx().id }}", comment: members bundled }
`,
  );
  appliance = new Appliance({ config: loadConfig({ dataDir, packsPaths: [path.join(tmp, 'packs')] }, {}), log: silentLogger });
  await appliance.start();
  configs = new PackConfigStore(appliance.kv, dataDir);
});
after(async () => {
  await appliance?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Replace the whole ticket config (the previous system's values removed). */
async function configure(values: Record<string, unknown>): Promise<void> {
  for (const o of (await configs.show('ticket', TICKET_PACK)).options) if (o.source === 'datastore') await configs.unset('ticket', o.key);
  for (const [k, v] of Object.entries(values)) await configs.set('ticket', TICKET_PACK, k, v);
}

async function run(action: string, params: Record<string, unknown>): Promise<ExecutionRecord & { result: Record<string, any> }> {
  return (await appliance.engine.run(`ticket.${action}`, params)) as ExecutionRecord & { result: Record<string, any> };
}

for (const version of [2, 3] as const) {
  describe(`ticket pack on Jira REST v${version}`, () => {
    test('ensure, comment, attach, resolve; a second fault of the key reuses the open ticket, a key that only looks alike does not', async () => {
      const jira = await fakeJira({ version, user: 'noc@example.net', token: `jira-api-token-v${version}`, project: 'NET' });
      try {
        await configure({
          system: 'jira',
          url: jira.url,
          project: 'NET',
          username: 'noc@example.net',
          password: `jira-api-token-v${version}`,
          jira_api_version: version,
        });
        const first = await run('ensure', { incident_key: 'bgp/leaf1/10.0.1.1', subject: 'BGP down', description: 'peer Idle\nsince 05:00', priority: 'high' });
        assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
        assert.deepEqual(first.result, {
          system: 'jira',
          id: 'NET-1',
          ref: 'NET-1',
          url: `${jira.url}/browse/NET-1`,
          subject: '[bgp/leaf1/10.0.1.1] BGP down',
          status: 'To Do',
          open: true,
          incident_key: 'bgp/leaf1/10.0.1.1',
          created: true,
          commented: false,
        });
        assert.equal(jira.issues.get('NET-1').description, 'peer Idle\nsince 05:00');
        assert.equal(jira.issues.get('NET-1').priority, 'High');

        const lookalike = await run('ensure', { incident_key: 'bgp/leaf1/10.0.1', subject: 'BGP down' });
        assert.equal(lookalike.result.id, 'NET-2', "Jira's word search returns NET-1 too; it is not this incident's ticket");
        const again = await run('ensure', { incident_key: 'bgp/leaf1/10.0.1.1', subject: 'BGP down', comment: 'flapped again' });
        assert.deepEqual([again.result.id, again.result.created], ['NET-1', false]);
        assert.deepEqual(jira.issues.get('NET-1').comments, ['flapped again']);

        const att = await run('attach', { id: 'NET-1', content: 'Neighbor 10.0.1.1 Idle\n', filename: 'bgp.txt', comment: 'show bgp summary attached' });
        assert.equal(att.status, 'succeeded', JSON.stringify(att.error));
        assert.deepEqual(att.result.attachment.id, '20000');
        assert.deepEqual(
          jira.issues.get('NET-1').attachments.map((a: any) => [a.filename, a.mimeType, a.text]),
          [['bgp.txt', 'text/plain', 'Neighbor 10.0.1.1 Idle\n']],
        );
        const done = await run('resolve', { id: 'NET-1', comment: 'Established again' });
        assert.deepEqual([done.result.status, done.result.open], ['Done', false]);
        assert.equal((await run('find', { incident_key: 'bgp/leaf1/10.0.1.1' })).result.found, false);
        assert.equal((await run('ensure', { incident_key: 'bgp/leaf1/10.0.1.1', subject: 'BGP down' })).result.id, 'NET-3');
        assert.deepEqual(jira.violations, []);
        for (const rec of [first, again, att, done]) assert.doesNotMatch(JSON.stringify(rec), /jira-api-token/);
      } finally {
        await jira.close();
      }
    });
  });
}

describe('ticket pack on Jira with the incident key in a custom field', () => {
  test('the key goes in customfield_10050, the summary stays as given, find matches the field exactly', async () => {
    const jira = await fakeJira({ version: 2, user: 'noc@example.net', token: 'cf-token', project: 'NET', customFields: ['customfield_10050'] });
    try {
      await configure({
        system: 'jira',
        url: jira.url,
        project: 'NET',
        username: 'noc@example.net',
        password: 'cf-token',
        incident_key_field: 'customfield_10050',
      });
      const first = await run('ensure', { incident_key: 'bgp/leaf1/10.0.1.1', subject: 'BGP down' });
      assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
      assert.deepEqual([first.result.subject, jira.issues.get('NET-1').custom], ['BGP down', { customfield_10050: 'bgp/leaf1/10.0.1.1' }]);
      assert.equal((await run('ensure', { incident_key: 'bgp/leaf1/10.0.1.1', subject: 'BGP down' })).result.id, 'NET-1');
      assert.equal((await run('ensure', { incident_key: 'bgp/leaf1/10.0.1', subject: 'BGP down' })).result.id, 'NET-2');
      assert.deepEqual(jira.violations, []);
    } finally {
      await jira.close();
    }
  });
});

describe('the fake trackers hold requests to the documented shape', () => {
  test('Jira v3 refuses a plain-text description, an attachment without X-Atlassian-Token; ServiceNow a resolve without a close code', async () => {
    const jira = await fakeJira({ version: 3, user: 'u', token: 't', project: 'NET' });
    const sn = await fakeServiceNow({ user: 'u', password: 'p' });
    try {
      const auth = { Authorization: `Basic ${Buffer.from('u:t').toString('base64')}`, 'Content-Type': 'application/json', Accept: 'application/json' };
      const fields = { project: { key: 'NET' }, summary: 's', issuetype: { name: 'Task' }, description: 'plain' };
      const r = await fetch(`${jira.url}/rest/api/3/issue`, { method: 'POST', headers: auth, body: JSON.stringify({ fields }) });
      assert.equal(r.status, 400);
      assert.match(jira.violations[0]!, /fields\.description must be an Atlassian Document Format document/);
      const snAuth = { ...auth, Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
      const made = (await (await fetch(`${sn.url}/api/now/table/incident`, { method: 'POST', headers: snAuth, body: '{"short_description":"s"}' })).json()) as {
        result: { sys_id: string };
      };
      const patch = await fetch(`${sn.url}/api/now/table/incident/${made.result.sys_id}`, { method: 'PATCH', headers: snAuth, body: '{"state":"6"}' });
      assert.equal(patch.status, 403);
      assert.match(sn.violations[0]!, /Data Policy Exception/);
    } finally {
      await jira.close();
      await sn.close();
    }
  });
});

describe('ticket pack on Jira: failures', () => {
  test('a wrong token is NRX_ERR_TICKET with what Jira said; a missing password names the key and how to set it', async () => {
    const jira = await fakeJira({ version: 2, user: 'noc@example.net', token: 'right-token', project: 'NET' });
    try {
      await configure({ system: 'jira', url: jira.url, project: 'NET', username: 'noc@example.net', password: 'wrong-token' });
      const bad = await run('open', { subject: 'x' });
      assert.equal(bad.status, 'failed');
      assert.equal(bad.error?.code, 'NRX_ERR_TICKET');
      assert.match(bad.error!.message, /^jira: POST \/rest\/api\/2\/issue answered 401: You are not authenticated\.$/);
      assert.doesNotMatch(JSON.stringify(bad), /wrong-token/);
      await configs.unset('ticket', 'password');
      const missing = await run('open', { subject: 'x' });
      assert.equal(missing.error?.code, 'NRX_ERR_PACK_CONFIG_MISSING');
      assert.match(missing.error!.message, /pack ticket: config value 'password' is required but not set; set it with `netreflex pack config ticket password`/);
    } finally {
      await jira.close();
    }
  });
});

describe('ticket pack on ServiceNow (Table API, incident)', () => {
  test('ensure keeps the key in correlation_id; comment, attach a file, resolve with a close code; a resolved incident is not found', async () => {
    const sn = await fakeServiceNow({ user: 'netreflex', password: 'sn-password-1' });
    try {
      await configure({ system: 'servicenow', url: sn.url, username: 'netreflex', password: 'sn-password-1' });
      const first = await run('ensure', {
        incident_key: 'lag/leaf2/bond0',
        subject: 'LAG member down on leaf2',
        description: 'eth1 lost LACP',
        priority: 'urgent',
      });
      assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
      const id = first.result.id as string;
      assert.match(id, /^[0-9a-f]{32}$/);
      assert.deepEqual(
        { ref: first.result.ref, status: first.result.status, open: first.result.open, created: first.result.created, url: first.result.url },
        { ref: 'INC0010000', status: 'New', open: true, created: true, url: `${sn.url}/nav_to.do?uri=incident.do%3Fsys_id%3D${id}` },
      );
      const inc = sn.incidents.get(id);
      assert.deepEqual([inc.correlation_id, inc.short_description, inc.urgency, inc.impact], ['lag/leaf2/bond0', 'LAG member down on leaf2', '1', '1']);

      const again = await run('ensure', { incident_key: 'lag/leaf2/bond0', subject: 'LAG member down on leaf2', comment: 'eth2 too' });
      assert.deepEqual([again.result.id, again.result.created], [id, false]);
      assert.deepEqual(inc.journal, ['eth2 too']);

      const file = path.join(tmp, 'leaf2-lacp.log');
      writeFileSync(file, 'bond0: eth1 churn\n');
      const att = await run('attach', { id, path: file });
      assert.equal(att.status, 'succeeded', JSON.stringify(att.error));
      assert.deepEqual(
        inc.attachments.map((a: any) => [a.file_name, a.content_type, a.text]),
        [['leaf2-lacp.log', 'text/plain', 'bond0: eth1 churn\n']],
      );
      assert.equal(att.result.attachment.size, 18);

      const done = await run('resolve', { id, comment: 'members bundled again' });
      assert.deepEqual([done.result.status, done.result.open], ['Resolved', false]);
      assert.deepEqual([inc.state, inc.close_code, inc.close_notes], ['6', 'Solved (Permanently)', 'members bundled again']);
      assert.equal((await run('find', { incident_key: 'lag/leaf2/bond0' })).result.found, false);
      assert.deepEqual(sn.violations, []);
      for (const rec of [first, again, att, done]) assert.doesNotMatch(JSON.stringify(rec), /sn-password-1/);
    } finally {
      await sn.close();
    }
  });

  test('from a workflow: ensure, attach the show output, resolve', async () => {
    const sn = await fakeServiceNow({ user: 'netreflex', password: 'sn-password-1' });
    try {
      await configure({ system: 'servicenow', url: sn.url, username: 'netreflex', password: 'sn-password-1' });
      const wf = await appliance.engine.run('nocflows.lag_ticket', { key: 'lag/leaf1/bond1', output: 'bond1: 1 of 2 members up\n' });
      assert.equal(wf.status, 'succeeded', JSON.stringify(wf.error));
      const [inc] = [...sn.incidents.values()];
      assert.deepEqual(
        [inc.correlation_id, inc.state, inc.close_notes, inc.attachments.map((a: any) => [a.file_name, a.text])],
        ['lag/leaf1/bond1', '6', 'members bundled', [['show-bond.txt', 'bond1: 1 of 2 members up\n']]],
      );
      assert.deepEqual(sn.violations, []);
    } finally {
      await sn.close();
    }
  });

  test('an attachment that is not there fails before anything is sent', async () => {
    const sn = await fakeServiceNow({ user: 'netreflex', password: 'sn-password-1' });
    try {
      await configure({ system: 'servicenow', url: sn.url, username: 'netreflex', password: 'sn-password-1' });
      const r = await run('attach', { id: 'f'.repeat(32), path: path.join(tmp, 'no-such.log') });
      assert.equal(r.error?.code, 'NRX_ERR_PARAM_INVALID');
      assert.match(r.error!.message, /attach: cannot read .*no-such\.log: ENOENT/);
      assert.deepEqual(sn.requests, []);
    } finally {
      await sn.close();
    }
  });
});
