import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
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

test('values inside a cmd parameter are shell-quoted wherever they sit: no value ever becomes shell syntax', () => {
  const templates = [
    "printf '%s' '{{ v }}'",
    'printf "%s" "{{ v }}"',
    'printf %s {{ v }}',
    "printf '%s' 'a {{ v }} b'",
    'printf "%s" "a {{ v }} b"',
  ];
  const expect = (t: string, v: string): string => (t.includes('a {{') ? `a ${v} b` : v);
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0') && s.length > 0), fc.constantFrom(...templates), (v, t) => {
      const { cmd } = renderValue({ cmd: t }, { v }) as { cmd: string };
      const out = execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
      assert.equal(out, expect(t, v));
    }),
    { numRuns: 150 },
  );
});
