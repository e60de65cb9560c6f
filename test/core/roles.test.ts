import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { parseRoles } from '../../src/core/roles.js';

const refused = (text: string, bus: boolean, why: RegExp) =>
  assert.throws(
    () => parseRoles(text, { bus }),
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

test('unknown roles, splits this version cannot run, and a sensor node without a bus are refused saying what to do', () => {
  refused('sensors', true, /unknown role 'sensors'/);
  refused('rules', true, /rules and worker run together/);
  refused('worker,api', true, /rules and worker run together/);
  refused('api', true, /rules and worker run together|API runs with rules/);
  refused('sensor', false, /add --bus nats:\/\//);
});
