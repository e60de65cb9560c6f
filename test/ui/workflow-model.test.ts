import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseYaml } from '../../src/core/yaml.js';
import { parseOrquesta } from '../../src/workflows/orquesta/spec.js';
import { graphOf, OrquestaDraft } from '../../src/ui/workflow-model.js';
import { layout } from '../../src/ui/graph-layout.js';

const APPROVE = readFileSync('test/ui/fixtures/packs/uitest/actions/workflows/approve.yaml', 'utf8');

test('the graph of a workflow: its tasks, and each transition with its condition', () => {
  const g = graphOf('orquesta', parse(APPROVE));
  assert.deepEqual(
    g.tasks.map((t) => [t.name, t.action]),
    [
      ['prepare', 'core.echo'],
      ['approve', 'core.ask'],
      ['apply', 'core.echo'],
    ],
  );
  assert.deepEqual(
    g.transitions.map((t) => [t.from, t.to, t.when]),
    [
      ['prepare', 'approve', '<% succeeded() %>'],
      ['approve', 'apply', '<% succeeded() %>'],
    ],
  );
});

test('an action chain is drawn from its links and their on-success / on-failure', () => {
  const g = graphOf('action-chain', {
    chain: [
      { name: 'a', ref: 'core.noop', 'on-success': 'b', 'on-failure': 'c' },
      { name: 'b', ref: 'core.noop' },
      { name: 'c', ref: 'core.noop' },
    ],
  });
  assert.deepEqual(
    g.transitions.map((t) => `${t.from}->${t.to} ${t.when}`),
    ['a->b on-success', 'a->c on-failure'],
  );
});

test('designer edits change only what they touch: comments and the rest of the text are kept, and the engine loads the result', () => {
  const d = new OrquestaDraft(APPROVE);
  d.addTask('notify', 'core.echo');
  d.setInput('notify', 'message', 'done <% ctx(note) %>');
  d.connect('apply', 'notify');
  d.setTransition('apply', 0, '<% succeeded() %>', 'who: <% ctx(note) %>');
  const text = d.text();
  assert.match(text, /# the designer keeps this comment/);
  assert.match(text, /# first a harmless step/);
  assert.ok(text.startsWith(APPROVE.split('\n  apply:')[0]!), 'the text before the edited task is unchanged');
  const spec = parseOrquesta(parseYaml(text, 'edited.yaml'));
  assert.deepEqual(spec.outbound.apply, ['notify']);
  assert.deepEqual(spec.tasks.apply!.next[0]!.publish, [{ name: 'who', value: '<% ctx(note) %>' }]);

  d.removeTask('notify');
  const spec2 = parseOrquesta(parseYaml(d.text(), 'removed.yaml'));
  assert.deepEqual(spec2.taskOrder, ['prepare', 'approve', 'apply']);
  assert.deepEqual(spec2.outbound.apply, []);
});

test('adding a task whose name is taken is refused', () => {
  const d = new OrquestaDraft(APPROVE);
  assert.throws(() => d.addTask('apply', 'core.noop'), /exists already/);
});

test('layout puts every task below the tasks that lead to it', () => {
  const pos = layout(graphOf('orquesta', parse(APPROVE)));
  assert.ok(pos.get('prepare')!.y < pos.get('approve')!.y && pos.get('approve')!.y < pos.get('apply')!.y);
});
