/**
 * The ticket pack against a real Redmine (Debian's package, SQLite), started once for this file:
 * from `netreflex run` and from a workflow, including "the same fault never opens a second ticket".
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig, REPO_ROOT } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { SecretCipher } from '../../../src/datastore/cipher.js';
import { KeyValueStore } from '../../../src/datastore/keyvalue.js';
import { PackConfigStore } from '../../../src/datastore/pack-config-store.js';
import { openApplianceStore } from '../../../src/store/open-store.js';
import { cli } from '../../cli/cli-harness.js';
import { redmineGuard, startRedmine, type Redmine } from '../../lab/redmine.js';

const TICKET_PACK = path.join(REPO_ROOT, 'packs', 'ticket');
const skip = redmineGuard();

describe('ticket pack on a real Redmine', { skip }, () => {
  let redmine: Redmine;
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-ticket-redmine-'));
  before(async () => {
    redmine = await startRedmine();
  });
  after(async () => {
    await redmine?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const rest = async (p: string): Promise<Record<string, any>> => {
    const r = await fetch(`${redmine.url}${p}`, { headers: { 'X-Redmine-API-Key': redmine.apiKey } });
    assert.equal(r.status, 200, p);
    return (await r.json()) as Record<string, any>;
  };

  /** A data dir whose ticket config points at this Redmine: url and project in the file, the API key encrypted in the datastore. */
  async function configured(name: string, withKey = true): Promise<string> {
    const dataDir = path.join(tmp, name);
    mkdirSync(path.join(dataDir, 'configs'), { recursive: true });
    writeFileSync(path.join(dataDir, 'configs', 'ticket.yaml'), `system: redmine\nurl: ${redmine.url}\nproject: ${redmine.project}\n`);
    if (withKey) {
      const store = openApplianceStore(dataDir);
      const kv = new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir));
      await new PackConfigStore(kv, dataDir).set('ticket', TICKET_PACK, 'api_key', redmine.apiKey);
      await store.close();
    }
    return dataDir;
  }

  test('netreflex run: ensure opens one ticket per incident key and comments on it after; find sees it; the key never shows', async () => {
    const dataDir = await configured('cli');
    const run = async (...args: string[]) => {
      const r = await cli(['run', ...args, '--data-dir', dataDir, '--json']);
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(redmine.apiKey), 'the API key appears nowhere');
      return { code: r.code, view: JSON.parse(r.stdout) as { status: string; result: Record<string, any>; error: { code: string; message: string } | null } };
    };
    const first = await run('ticket.ensure', 'incident_key=bgp/leaf1/10.0.1.1', 'subject=BGP peer 10.0.1.1 down on leaf1', 'description=Idle since 05:00');
    assert.equal(first.code, 0, JSON.stringify(first.view.error));
    assert.equal(first.view.result.created, true);
    assert.equal(first.view.result.subject, '[bgp/leaf1/10.0.1.1] BGP peer 10.0.1.1 down on leaf1');
    assert.equal(first.view.result.url, `${redmine.url}/issues/${first.view.result.id}`);

    const again = await run('ticket.ensure', 'incident_key=bgp/leaf1/10.0.1.1', 'subject=BGP peer 10.0.1.1 down on leaf1', 'comment=flapped again');
    assert.equal(again.view.result.created, false);
    assert.equal(again.view.result.id, first.view.result.id, 'the same ticket, not a second one');
    const found = await run('ticket.find', 'incident_key=bgp/leaf1/10.0.1.1');
    assert.deepEqual([found.view.result.found, found.view.result.id], [true, first.view.result.id]);
    const other = await run('ticket.find', 'incident_key=bgp/leaf1/10.0.1');
    assert.equal(other.view.result.found, false, 'a key that is a prefix of another is a different incident');

    const issue = (await rest(`/issues/${first.view.result.id}.json?include=journals`)).issue;
    assert.deepEqual(
      issue.journals.map((j: { notes: string }) => j.notes),
      ['flapped again'],
    );
    assert.equal((await rest(`/issues.json?project_id=${redmine.project}&status_id=*`)).total_count, 1);
  });

  test('netreflex run without the API key fails naming the pack, the key and how to set it', async () => {
    const dataDir = await configured('nokey', false);
    const r = await cli(['run', 'ticket.find', 'incident_key=x', '--data-dir', dataDir, '--json']);
    assert.equal(r.code, 1);
    const view = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(view.error.code, 'NRX_ERR_PACK_CONFIG_MISSING');
    assert.match(view.error.message, /pack ticket: config value 'api_key' is required but not set; set it with `netreflex pack config ticket api_key`/);
  });

  test('with incident_key_field the key lives in a Redmine custom field: the subject stays as given, find matches the field exactly', async () => {
    const dataDir = await configured('field');
    writeFileSync(
      path.join(dataDir, 'configs', 'ticket.yaml'),
      `system: redmine\nurl: ${redmine.url}\nproject: ${redmine.project}\nincident_key_field: "${redmine.incidentKeyField}"\n`,
    );
    const a = new Appliance({ config: loadConfig({ dataDir }, {}), log: silentLogger });
    await a.start();
    try {
      const ensure = (key: string) => a.engine.run('ticket.ensure', { incident_key: key, subject: 'LAG member down', comment: 'again' });
      const first = (await ensure('lag/leaf1/bond0')).result as { id: string; subject: string; created: boolean };
      assert.deepEqual([first.subject, first.created], ['LAG member down', true]);
      const issue = (await rest(`/issues/${first.id}.json`)).issue;
      assert.deepEqual(
        issue.custom_fields.map((c: { id: number; value: string }) => [c.id, c.value]),
        [[redmine.incidentKeyField, 'lag/leaf1/bond0']],
      );
      const again = (await ensure('lag/leaf1/bond0')).result as { id: string; created: boolean };
      assert.deepEqual([again.id, again.created], [first.id, false]);
      const other = (await ensure('lag/leaf1/bond')).result as { id: string; created: boolean };
      assert.equal(other.created, true, 'another key, another ticket');
    } finally {
      await a.stop();
    }
  });

  test('a workflow: ensure, attach a log file and text, resolve; the next fault of the key opens a new ticket; concurrent ensures share one', async () => {
    const dataDir = path.join(tmp, 'wf');
    const packDir = path.join(tmp, 'packs', 'noc');
    mkdirSync(path.join(packDir, 'actions', 'workflows'), { recursive: true });
    writeFileSync(path.join(packDir, 'pack.yaml'), 'ref: noc\nname: noc\nversion: 0.1.0\ndescription: test workflows\n');
    writeFileSync(
      path.join(packDir, 'actions', 'bgp_ticket.yaml'),
      'name: bgp_ticket\nrunner_type: orquesta\nentry_point: workflows/bgp_ticket.yaml\nparameters:\n  key: {type: string, required: true}\n  log: {type: string, required: true}\n',
    );
    writeFileSync(
      path.join(packDir, 'actions', 'workflows', 'bgp_ticket.yaml'),
      `version: 1.0
input: [key, log]
tasks:
  ticket:
    action: ticket.ensure
    input: { incident_key: "{{ ctx().key }}", subject: BGP down, description: collected logs follow }
    next: [{ when: "{{ succeeded() }}", publish: [{ id: "{{ result().id }}" }], do: logs }]
  logs:
    action: ticket.attach
    input: { id: "{{ ctx().id }}", path: "{{ ctx().log }}", comment: log bundle attached }
    next: [{ when: "{{ succeeded() }}", publish: [{ sha: "{{ result().attachment.sha256 }}" }], do: summary }]
  summary:
    action: ticket.attach
    input: { id: "{{ ctx().id }}", content: "peer Idle\\n", filename: summary.txt }
    next: [{ when: "{{ succeeded() }}", do: close }]
  close:
    action: ticket.resolve
    input: { id: "{{ ctx().id }}", comment: peer Established again }
output:
  - id: "{{ ctx().id }}"
  - sha: "{{ ctx().sha }}"
`,
    );
    const log = path.join(tmp, 'leaf1-bgp.log');
    const logText = 'leaf1# show bgp summary\nNeighbor 10.0.1.1 Idle\n';
    writeFileSync(log, logText);
    const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [path.join(tmp, 'packs')] }, {}), log: silentLogger });
    await a.start();
    try {
      mkdirSync(path.join(dataDir, 'configs'), { recursive: true });
      writeFileSync(path.join(dataDir, 'configs', 'ticket.yaml'), `url: ${redmine.url}\nproject: ${redmine.project}\n`);
      await new PackConfigStore(a.kv, dataDir).set('ticket', TICKET_PACK, 'api_key', redmine.apiKey);

      const wf = await a.engine.run('noc.bgp_ticket', { key: 'bgp/spine1/10.0.2.2', log });
      assert.equal(wf.status, 'succeeded', JSON.stringify(wf.error));
      const out = wf.result as { output: { id: string; sha: string } };
      const issue = (await rest(`/issues/${out.output.id}.json?include=attachments,journals`)).issue;
      assert.equal(issue.status.name, 'Closed');
      assert.deepEqual(issue.attachments.map((x: { filename: string; filesize: number }) => [x.filename, x.filesize]).sort(), [
        ['leaf1-bgp.log', Buffer.byteLength(logText)],
        ['summary.txt', 10],
      ]);
      assert.equal(out.output.sha, createHash('sha256').update(logText).digest('hex'));
      assert.deepEqual(issue.journals.map((j: { notes: string }) => j.notes).filter(Boolean), ['log bundle attached', 'peer Established again']);

      const next = await a.engine.run('ticket.ensure', { incident_key: 'bgp/spine1/10.0.2.2', subject: 'BGP down again' });
      assert.equal((next.result as { created: boolean }).created, true, 'the old ticket is closed: a new fault gets a new one');
      assert.notEqual((next.result as { id: string }).id, out.output.id);

      const together = await Promise.all(
        [1, 2, 3].map((n) => a.engine.run('ticket.ensure', { incident_key: 'lag/leaf2/bond0', subject: 'LAG member down', comment: `event ${n}` })),
      );
      const results = together.map((r) => r.result as { id: string; created: boolean });
      assert.equal(new Set(results.map((r) => r.id)).size, 1, 'three events at once, one ticket');
      assert.equal(results.filter((r) => r.created).length, 1);
      for (const r of together) assert.doesNotMatch(JSON.stringify(r), new RegExp(redmine.apiKey));
    } finally {
      await a.stop();
    }
  });
});
