import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCondition, renderString, renderValue } from '../../src/core/template.js';

test('an expression-only template keeps the value type; mixed templates give text', () => {
  assert.deepEqual(renderString('{{ trigger.peers }}', { trigger: { peers: [1, 2] } }), [1, 2]);
  assert.equal(renderString('{{ n }}', { n: 5 }), 5);
  assert.equal(renderString('peer {{ p }} is {{ s }}', { p: '10.0.0.1', s: 'idle' }), 'peer 10.0.0.1 is idle');
  assert.equal(renderString('<% ctx().x %>', { ctx: () => ({ x: true }) }), true);
  assert.equal(renderString('{{ missing.deeper }}', {}), null);
});

test('event data is never compiled as a template', () => {
  const payload = { message: '{{ 7 * 7 }} {% for x in [1] %}x{% endfor %}' };
  assert.equal(renderString('{{ trigger.message }}', { trigger: payload }), payload.message);
  assert.equal(renderString('got: {{ trigger.message }}', { trigger: payload }), `got: ${payload.message}`);
});

test('conditions follow Jinja truthiness', () => {
  assert.equal(renderCondition('{{ 0 }}', {}), false);
  assert.equal(renderCondition('{{ [] }}', {}), false);
  assert.equal(renderCondition('{{ "x" }}', {}), true);
  assert.equal(renderCondition(undefined, {}), true);
});
