// nunjucks as the appliance loads it (src/core/nunjucks.ts): SafeString no longer inherits from
// String.prototype (that one line took V8's fast path off every string method of the process),
// and safe text still behaves as text in templates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import nunjucks from '../../src/core/nunjucks.js';
import { renderString } from '../../src/core/template.js';

const SafeString = (nunjucks.runtime as unknown as { SafeString: { prototype: object } }).SafeString;

test('SafeString inherits from a plain object with the string methods, not from String.prototype', () => {
  const proto = Object.getPrototypeOf(SafeString.prototype) as Record<string, unknown>;
  assert.notEqual(proto, String.prototype);
  for (const m of ['toUpperCase', 'slice', 'indexOf', 'split', 'replace', 'startsWith', 'trim']) assert.equal(typeof proto[m], 'function', m);
  assert.match(String(Object.create), /native code/, 'Object.create is the built-in again after loading');
});

test('safe text still works as text: filters, methods, comparisons, escaping', () => {
  const ctx = { name: '<b>Leaf1</b>' };
  assert.equal(renderString('{{ name | safe | upper }}', ctx), '<B>LEAF1</B>');
  assert.equal(renderString("{{ (name | safe).replace('Leaf', 'Spine') }}", ctx), '<b>Spine1</b>');
  assert.equal(renderString("{{ (name | safe).startsWith('<b>') }}", ctx), true);
  assert.equal(renderString('{{ (name | safe) | length }}', ctx), 12);
  assert.equal(renderString("{% if (name | safe) == '<b>Leaf1</b>' %}same{% endif %}", ctx), 'same');
});
