import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workflowTaskLimit } from '../../../src/core/config.js';
import type { NrxError } from '../../../src/core/errors.js';
import { parseYaml } from '../../../src/core/yaml.js';
import { parseOrquesta } from '../../../src/workflows/orquesta/spec.js';
import { bad, ok, Rehearsal } from './rehearsal.js';

const names = (r: Rehearsal): string[] => r.runKeys().map((k) => k.replace(/#\d+$/, ''));
const count = (r: Rehearsal, name: string): number => names(r).filter((n) => n === name).length;

// Two branches meet at a task that is not a join (a split): everything after it, the join
// included, runs once per branch, as orquesta's split workflows expect.
const SPLIT = `version: 1.0
tasks:
  start:
    action: core.noop
    next: [{ when: <% succeeded() %>, do: [left, right] }]
  left:
    action: core.noop
    next: [{ do: collect }]
  right:
    action: core.noop
    next: [{ do: collect }]
  collect:
    action: core.noop
    next: [{ do: [backup_a, backup_b] }]
  backup_a:
    action: core.noop
    next: [{ when: <% succeeded() %>, do: report }]
  backup_b:
    action: core.noop
    next: [{ do: report }]
  report:
    join: all
    action: core.noop
`;

describe('splits: a task reached from two branches runs once per branch', () => {
  test('the spec marks the split task; a task in a loop is not one', () => {
    assert.deepEqual(parseOrquesta(parseYaml(SPLIT, 'split.yaml')).splits, ['collect']);
    const loop = parseOrquesta(
      parseYaml(
        `version: 1.0
tasks:
  init: { action: core.noop, next: [{ do: poll }] }
  poll: { action: core.noop, next: [{ when: <% failed() %>, do: poll }] }
`,
        'loop.yaml',
      ),
    );
    assert.deepEqual(loop.splits, []);
  });

  test('the join after the split runs once per branch and the workflow succeeds', () => {
    const r = new Rehearsal(SPLIT);
    r.start();
    r.play();
    assert.equal(r.status(), 'succeeded');
    for (const [n, times] of Object.entries({ start: 1, left: 1, right: 1, collect: 2, backup_a: 2, backup_b: 2, report: 2 }))
      assert.equal(count(r, n), times, `${n} runs ${times} time(s)`);
  });

  test('a join waits for its own branch only: one branch finishing does not open the other', () => {
    const r = new Rehearsal(SPLIT);
    r.start();
    // finish everything except the right branch's backup_b
    r.play({
      backup_b: (cmd) => (cmd.taskKey === 'backup_b#2' ? { status: 'succeeded', result: 'late' } : ok()),
    });
    assert.equal(count(r, 'report'), 2);
    const reports = r.state.order.filter((k) => k.startsWith('report')).map((k) => r.state.runs[k]!.route);
    assert.equal(new Set(reports).size, 2, 'each report runs on its own route');
  });

  test('a failure on one branch fails the workflow; the other branch still ends', () => {
    const r = new Rehearsal(SPLIT);
    r.start();
    r.play({ backup_a: [ok(), bad()] });
    assert.equal(r.status(), 'failed');
    assert.equal(count(r, 'report'), 1, 'only the branch that succeeded reports');
  });
});

describe('do: retry as orquesta reads it', () => {
  test('without when it retries 3 times on any completion before following next', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  task1:
    action: core.noop
    next:
      - when: <% succeeded() %>
        do: task2
      - do: retry
  task2:
    action: core.noop
`);
    r.start();
    r.play();
    assert.deepEqual(names(r), ['task1', 'task1', 'task1', 'task1', 'task2']);
    assert.equal(r.status(), 'succeeded');
  });

  test('with when: failed() a success goes on at once; failures retry, then fail the workflow', () => {
    const wf = `version: 1.0
tasks:
  task1:
    action: core.noop
    next:
      - when: <% succeeded() %>
        do: task2
      - when: <% failed() %>
        publish: tried=yes
        do: retry
  task2:
    action: core.noop
`;
    const good = new Rehearsal(wf);
    good.start();
    good.play({ task1: [bad(), ok()] });
    assert.deepEqual(names(good), ['task1', 'task1', 'task2']);
    assert.equal(good.status(), 'succeeded');
    const worse = new Rehearsal(wf);
    worse.start();
    worse.play({ task1: [bad()] });
    assert.equal(count(worse, 'task1'), 4);
    assert.equal(count(worse, 'task2'), 0);
    assert.equal(worse.status(), 'failed');
    assert.equal(worse.state.ctx.tried, undefined, 'the retry transition publishes nothing (it is a policy, not a transition)');
  });
});

describe('the runaway guard', () => {
  const LOOP = `version: 1.0
tasks:
  init:
    action: core.noop
    next: [{ do: poll }]
  poll:
    action: core.noop
    next: [{ when: <% succeeded() %>, do: poll }]
`;
  test('a loop that never ends fails at the limit with NRX_ERR_WORKFLOW_RUNAWAY naming the limit', () => {
    const r = new Rehearsal(LOOP);
    r.start({}, {}, { maxTaskExecutions: 25 });
    r.play();
    assert.equal(r.runKeys().length, 25);
    assert.equal(r.status(), 'failed');
    const e = r.completed!.errors.find((x) => x.code === 'NRX_ERR_WORKFLOW_RUNAWAY');
    assert.ok(e, 'the runaway error is reported');
    assert.match(e.message, /limit of 25/);
  });

  test('the default limit is 10,000 action runs, kept in the state from the start', () => {
    const r = new Rehearsal(LOOP);
    r.start();
    assert.equal(r.state.maxTaskExecutions, 10_000);
    // as if the loop had already turned 9,998 times (playing them all would take minutes here)
    r.state.taskExecutions = 9_998;
    r.play();
    assert.equal(r.state.taskExecutions, 10_000);
    assert.equal(r.status(), 'failed');
  });

  test('with-items past the limit fail the task and the workflow completes', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  ping:
    with: [a, b, c, d, e, f, g, h, i, j]
    action: core.noop
`);
    r.start({}, {}, { maxTaskExecutions: 4 });
    r.play();
    assert.equal(r.runKeys().length, 4);
    assert.equal(r.status(), 'failed');
  });
});

test('NETREFLEX_WORKFLOW_MAX_TASKS sets the limit; a bad value is refused naming the variable', () => {
  assert.equal(workflowTaskLimit({}), 10_000);
  assert.equal(workflowTaskLimit({ NETREFLEX_WORKFLOW_MAX_TASKS: '50' }), 50);
  assert.throws(
    () => workflowTaskLimit({ NETREFLEX_WORKFLOW_MAX_TASKS: 'lots' }),
    (e: NrxError) => e.code === 'NRX_ERR_CONFIG' && /NETREFLEX_WORKFLOW_MAX_TASKS/.test(e.message),
  );
});

test('a delay expression that gives nothing means no delay, as in orquesta', () => {
  const r = new Rehearsal(`version: 1.0
input: [delay]
tasks:
  greet:
    action: core.noop
    delay: <% ctx(delay) %>
`);
  r.start({ delay: null });
  assert.equal(r.runKeys().length, 1);
  assert.equal((r.commands[0] as { notBefore: number | null }).notBefore, null);
  const later = new Rehearsal(`version: 1.0
input: [delay]
tasks:
  greet:
    action: core.noop
    delay: <% ctx(delay) %>
`);
  later.start({ delay: 5 });
  assert.equal((later.commands[0] as { notBefore: number | null }).notBefore, later.now + 5000);
});
