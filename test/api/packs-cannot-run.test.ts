import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { harness, type Harness } from './harness.js';

const PYACTS = path.resolve('test/executions/fixtures/python-packs/pyacts');

describe('API: packs say which actions cannot run', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    // <data dir>/packs is on the appliance's packs path: a pack copied there loads on reload.
    cpSync(PYACTS, path.join(h.dataDir, 'packs', 'pyacts'), { recursive: true });
    h.appliance.reloadContent();
  });
  after(async () => {
    await h?.close();
  });

  test('GET /api/v1/packs: action count, and the mistral-v2 and winrm-cmd actions with the reason', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/packs', headers: h.as('observer') });
    assert.equal(r.statusCode, 200);
    const items = r.json().items as Array<{ ref: string; actions: number; cannot_run: Array<{ action: string; runner_type: string; reason: string }> }>;
    const pyacts = items.find((p) => p.ref === 'pyacts');
    assert.ok(pyacts, 'pyacts loaded');
    assert.equal(pyacts.actions, 13);
    assert.deepEqual(
      pyacts.cannot_run.map((u) => [u.action, u.runner_type]),
      [
        ['pyacts.old_workflow', 'mistral-v2'],
        ['pyacts.windows_cmd', 'winrm-cmd'],
      ],
    );
    assert.match(pyacts.cannot_run[0]!.reason, /orquesta/);
    for (const p of items.filter((x) => x.ref !== 'pyacts')) assert.deepEqual(p.cannot_run, [], `${p.ref} has nothing that cannot run`);
  });
});
