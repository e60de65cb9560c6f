import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorTableMarkdown } from '../../src/core/error-table.js';
import { ERROR_CATALOGUE, NrxError, describeError } from '../../src/core/errors.js';

test('docs/errors.md carries the error catalogue, every code with its HTTP status and retryability', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  assert.ok(doc.endsWith(`${errorTableMarkdown()}\n`), 'docs/errors.md disagrees with src/core/errors.ts: run `npm run docs:errors`');
  for (const [code, e] of Object.entries(ERROR_CATALOGUE)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.match(row, new RegExp(`\\| ${e.status} \\| ${e.retryable ? 'yes' : 'no'} \\|`));
  }
});

test('an error names file, line and field in its message and carries its code', () => {
  const e = new NrxError('NRX_ERR_SPEC_INVALID', 'unknown task', { location: { file: 'wf.yaml', line: 7, field: 'tasks.a.next[0].do' } });
  assert.equal(e.message, "wf.yaml, line 7, field 'tasks.a.next[0].do': unknown task");
  assert.equal(e.status, 400);
  assert.equal(e.retryable, false);
  assert.deepEqual(e.toJSON(), { code: 'NRX_ERR_SPEC_INVALID', message: e.message, retryable: false, file: 'wf.yaml', line: 7, field: 'tasks.a.next[0].do' });
});

test('an exception nothing classified is NRX_ERR_INTERNAL, retryable as the catalogue says; an NrxError keeps its code', () => {
  for (const thrown of [new TypeError("Cannot read properties of undefined (reading 'x')"), 'a string', 42]) {
    const d = describeError(thrown);
    assert.equal(d.code, 'NRX_ERR_INTERNAL');
    assert.equal(d.retryable, ERROR_CATALOGUE.NRX_ERR_INTERNAL.retryable);
  }
  assert.match(describeError(new Error('disk on fire')).message, /disk on fire/);
  const known = describeError(new NrxError('NRX_ERR_RUNNER_FAILED', 'no entry_point'));
  assert.deepEqual(known, { code: 'NRX_ERR_RUNNER_FAILED', message: 'no entry_point', retryable: true });
});
