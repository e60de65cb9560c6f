import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseYaml } from '../../src/core/yaml.js';
import { parseActionChain } from '../../src/workflows/actionchain/spec.js';
import { ChainDraft } from '../../src/ui/chain-draft.js';

const CHAIN = readFileSync('test/ui/fixtures/packs/uitest/actions/workflows/chain.yaml', 'utf8');
const load = (text: string) => parseActionChain(parseYaml(text, 'chain.yaml'));

test('an ActionChain re-written by the yaml library without an edit keeps everything but the spaces before an inline comment', () => {
  // (the designer itself saves an unedited workflow as the very text it read: see ui.test.ts)
  assert.equal(new ChainDraft(CHAIN).text(), CHAIN.replace('"   #', '" #'));
});

test('chain edits (add, connect on success / failure, action, parameters) keep comments and load in the engine', () => {
  const d = new ChainDraft(CHAIN);
  d.addTask('report', 'core.echo');
  d.setInput('report', 'message', 'done');
  d.connect('fallback', 'report', 'on-success');
  d.connect('check', 'report', 'on-success');
  d.setAction('check', 'core.echo');
  d.setInput('check', 'message', 'checked');
  d.setInput('fallback', 'message', 'fell back again'); // the node uses `params`: stays `params`
  const text = d.text();
  assert.match(text, /# An ActionChain the designer opens as a graph; this comment survives a save\./);
  assert.match(text, /# a quoted template, kept as written/);
  assert.match(text, /params: \{ message: fell back again \}/);
  const spec = load(text);
  const byName = Object.fromEntries(spec.nodes.map((n) => [n.name, n]));
  assert.equal(byName.check!.ref, 'core.echo');
  assert.deepEqual(byName.check!.parameters, { message: 'checked' });
  assert.equal(byName.check!.onSuccess, 'report');
  assert.equal(byName.check!.onFailure, 'fallback');
  assert.equal(byName.fallback!.onSuccess, 'report');
  assert.deepEqual(byName.report!.parameters, { message: 'done' });
});

test('removing a chain node removes every on-success / on-failure and default that named it; disconnect cuts one outcome', () => {
  const d = new ChainDraft(CHAIN);
  d.disconnect('check', 'fallback', 'on-success'); // not that outcome: nothing changes
  assert.equal(load(d.text()).nodes[1]!.onFailure, 'fallback');
  d.disconnect('check', 'fallback', 'on-failure');
  assert.equal(load(d.text()).nodes[1]!.onFailure, null);
  d.removeTask('note');
  const spec = load(d.text());
  assert.deepEqual(
    spec.nodes.map((n) => n.name),
    ['check', 'fallback'],
  );
  assert.equal(spec.default, 'check', 'default no longer names the removed node');
  assert.throws(() => d.addTask('check', 'core.noop'), /exists already/);
});
