import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { parseRoles } from '../../src/core/roles.js';

const refused = (text: string, opts: { bus: boolean; sharedStore?: boolean }, why: RegExp) =>
  assert.throws(
    () => parseRoles(text, opts),
    (e) => e instanceof NrxError && e.code === 'NRX_ERR_VALIDATION' && why.test(e.message),
  );

test('all, nothing and the full list are the embedded appliance', () => {
  for (const t of [undefined, '', 'all', 'sensor,rules,worker,api', ' API , Rules,worker , sensor'])
    assert.deepEqual([...parseRoles(t, { bus: false })].sort(), ['api', 'rules', 'sensor', 'worker']);
});

test('a sensor node with a bus, and a rules/worker/api node, are accepted', () => {
  assert.deepEqual([...parseRoles('sensor', { bus: true })], ['sensor']);
  assert.deepEqual([...parseRoles('rules,worker,api', { bus: true })].sort(), ['api', 'rules', 'worker']);
  assert.deepEqual([...parseRoles('rules,worker', { bus: true })].sort(), ['rules', 'worker']);
});

test('with a shared store rules, worker and api may each run alone or in any combination', () => {
  const shared = { bus: true, sharedStore: true };
  for (const t of ['rules', 'worker', 'api', 'rules,api', 'worker,api', 'sensor,worker', 'sensor,rules'])
    assert.deepEqual([...parseRoles(t, shared)].sort(), t.split(',').sort());
  // the API alone needs no bus: it reads the store and records what it asks for
  assert.deepEqual([...parseRoles('api', { bus: false, sharedStore: true })], ['api']);
});

test('unknown roles, a node that requests executions no worker can take, and a sensor node without a bus are refused saying what to do', () => {
  refused('sensors', { bus: true }, /unknown role 'sensors'/);
  refused('rules', { bus: true }, /without the worker role .* add --store postgres:\/\//);
  refused('api', { bus: true }, /without the worker role .* add --store postgres:\/\//);
  refused('worker', { bus: true }, /worker node takes its executions from a shared store: add --store postgres:\/\//);
  refused('sensor', { bus: false }, /add --bus nats:\/\//);
  refused('sensor,worker', { bus: false, sharedStore: true }, /add --bus nats:\/\//);
});
