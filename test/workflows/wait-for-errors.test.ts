import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { swallowedErrorCounts } from '../../src/core/swallowed-errors.js';
import { makeEvent } from '../../src/events/envelope.js';

const WAIT = `version: 1.0
tasks:
  wait_busy:
    wait_for:
      trigger: core.event
      criteria:
        trigger.load: { type: greaterthan, pattern: 5 }
      timeout: 20s
`;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function packs(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-waitfor-packs-'));
  dirs.push(root);
  const pack = path.join(root, 'waits');
  mkdirSync(path.join(pack, 'actions', 'workflows'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: waits\nname: waits\nversion: 0.1.0\ndescription: wait_for criteria that cannot be evaluated\n');
  writeFileSync(path.join(pack, 'actions', 'wait_busy.yaml'), 'name: wait_busy\nrunner_type: orquesta\nentry_point: workflows/wait_busy.yaml\n');
  writeFileSync(path.join(pack, 'actions', 'workflows', 'wait_busy.yaml'), WAIT);
  return root;
}

test('a wait_for criterion that cannot be evaluated for an event is counted (wait_for_criteria); the task keeps waiting for one that matches', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-waitfor-'));
  dirs.push(dataDir);
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [packs()] }, {}), log: silentLogger });
  await a.start();
  try {
    const rec = await a.engine.request('waits.wait_busy', {});
    const waiting = async () => (await a.store.listTasks(rec.id)).some((t) => t.taskName === 'wait_busy' && t.status === 'running');
    for (let i = 0; i < 500 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(await waiting(), 'the task waits for an event');
    const before = swallowedErrorCounts().get('wait_for_criteria') ?? 0;
    // a string compared with a number: the operator cannot decide, which is not a match
    a.engine.deliverEvent(makeEvent('core.event', { load: 'high' }));
    assert.equal(swallowedErrorCounts().get('wait_for_criteria'), before + 1);
    a.engine.deliverEvent(makeEvent('core.event', { load: 9 }));
    const done = await a.engine.wait(rec.id);
    assert.equal(done.status, 'succeeded');
  } finally {
    await a.stop();
  }
});

test('the engine says when a task first waits for a trigger type, and whether any still does (a worker on a bus subscribes by it)', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-waitfor-'));
  dirs.push(dataDir);
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [packs()] }, {}), log: silentLogger });
  const first: string[] = [];
  a.engine.onFirstWait((t) => first.push(t));
  await a.start();
  try {
    assert.equal(a.engine.isWaitingFor('core.event'), false);
    const one = await a.engine.request('waits.wait_busy', {});
    const two = await a.engine.request('waits.wait_busy', {});
    for (let i = 0; i < 500 && first.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 500 && (await a.store.listTasks(two.id)).every((t) => t.status !== 'running'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(first, ['core.event'], 'once for two tasks waiting');
    assert.equal(a.engine.isWaitingFor('core.event'), true);
    a.engine.deliverEvent(makeEvent('core.event', { load: 9 }));
    assert.equal((await a.engine.wait(one.id)).status, 'succeeded');
    assert.equal((await a.engine.wait(two.id)).status, 'succeeded');
    assert.equal(a.engine.isWaitingFor('core.event'), false);
  } finally {
    await a.stop();
  }
});
