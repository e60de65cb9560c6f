import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNrxError } from '../../src/core/errors.js';
import { renderCondition, renderString, renderValue, TEMPLATE_STRICT } from '../../src/core/template.js';

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

test('an object written into text is JSON, never [object Object]; a list of plain values keeps its text', () => {
  assert.equal(renderString('got {{ v }}', { v: { a: 1, b: [true] } }), 'got {"a":1,"b":[true]}');
  assert.equal(renderString('got {{ v }}', { v: [{ a: 1 }] }), 'got [{"a":1}]');
  assert.equal(renderString('got {{ v }}', { v: ['a', 'b'] }), 'got a,b');
});

test('a strict context (Orquesta) fails on writing an undefined value, naming it; others render it empty', () => {
  const strict = { [TEMPLATE_STRICT]: true, trigger: { a: 1 } } as unknown as Record<string, unknown>;
  assert.throws(
    () => renderString('{{ trigger.missing }}', strict),
    (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_TEMPLATE' && /'missing' is undefined/.test(e.message),
  );
  assert.throws(
    () => renderString('x {{ nope }} y', strict),
    (e: unknown) => isNrxError(e) && /'nope' is undefined/.test(e.message),
  );
  assert.equal(renderString("{{ trigger.missing | default('d') }}", strict), 'd');
  assert.equal(renderString('x {{ trigger.missing }} y', { trigger: {} }), 'x  y');
});

test("a filter given the wrong kind of value fails in our words, not JavaScript's", () => {
  assert.throws(
    () => renderString('{{ v | upper }}', { v: { a: 1 } }),
    (e: unknown) => isNrxError(e) && /the filter 'upper' cannot take a dict/.test(e.message) && !/TypeError|is not a function/.test(e.message),
  );
});

test('an empty dict is false in a condition, as in Python', () => {
  assert.equal(renderCondition('{{ v }}', { v: {} }), false);
  assert.equal(renderCondition('{{ v }}', { v: { a: 1 } }), true);
});
