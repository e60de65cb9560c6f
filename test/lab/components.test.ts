import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { LAB_COMPONENTS, parseComponents } from './components.js';

test('lab:up --with takes known components, comma-separated, and refuses an unknown one with the list', () => {
  assert.deepEqual(parseComponents('redmine'), ['redmine']);
  assert.deepEqual(parseComponents(' redmine , '), ['redmine']);
  assert.throws(
    () => parseComponents('redmine,jira'),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_USAGE' && /no component 'jira' \(there is redmine/.test(e.message),
  );
  assert.ok(Object.keys(LAB_COMPONENTS).includes('redmine'));
});
