import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { bad, ok, Rehearsal, type RunTaskCmd, type WaitCmd } from './rehearsal.js';

const runs = (r: Rehearsal, key: string) => r.commands.filter((c): c is RunTaskCmd => c.kind === 'runTask' && c.taskKey === key);

describe('rehearsal: retry, delay, timeout', () => {
  const retrying = (retry: string) => `version: 1.0
tasks:
  commit:
    action: network.commit
    retry: ${retry}
    next:
      - when: <% succeeded() %>
        do: verify
  verify:
    action: core.noop
`;
  test('retry re-issues the task with notBefore = now + delay until it succeeds', () => {
    const r = new Rehearsal(retrying('{ count: 3, delay: 10s }'));
    r.start();
    assert.equal(runs(r, 'commit')[0]!.notBefore, null);
    r.now += 1000;
    r.complete('commit', bad());
    assert.equal(runs(r, 'commit')[1]!.notBefore, r.now + 10_000);
    r.complete('commit', bad());
    r.complete('commit', ok());
    assert.equal(runs(r, 'commit').length, 3);
    assert.deepEqual(r.path(), [
      ['commit', 'succeeded'],
      ['verify', 'running'],
    ]);
    assert.equal(r.state.runs.commit!.retries, 2);
    r.play();
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('retry exhausted: the last failure stands and fails the workflow', () => {
    const r = new Rehearsal(retrying('{ count: 2 }'));
    r.start();
    r.play({ commit: [bad()] });
    assert.equal(runs(r, 'commit').length, 3, 'first run + 2 retries');
    assert.equal(r.completed?.status, 'failed');
  });

  test('retry when: retries on a result condition, not only on failure', () => {
    const r = new Rehearsal(retrying('{ count: 5, when: "<% result().status_code != 200 %>" }'));
    r.start();
    r.play({ commit: [ok({ status_code: 503 }), ok({ status_code: 503 }), ok({ status_code: 200 })] });
    assert.equal(runs(r, 'commit').length, 3);
    assert.equal(r.completed?.status, 'succeeded');
    const noRetryOnFailure = new Rehearsal(retrying('{ count: 5, when: "<% succeeded() and result().status_code == 503 %>" }'));
    noRetryOnFailure.start();
    noRetryOnFailure.play({ commit: [bad()] });
    assert.equal(runs(noRetryOnFailure, 'commit').length, 1, 'when does not hold: no retry');
  });

  test('the retry engine command retries up to 3 times without delay', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  fetch:
    action: core.http url=http://192.0.2.1/
    next:
      - when: <% failed() %>
        do: retry
`);
    r.start();
    r.play({ fetch: [bad()] });
    assert.equal(runs(r, 'fetch').length, 4);
    assert.ok(runs(r, 'fetch').every((c) => c.notBefore === null));
    assert.equal(r.completed?.status, 'failed');
  });

  test('delay sets notBefore on the first run; durations and expressions both work', () => {
    const r = new Rehearsal(`version: 1.0
input: [{ hold: 15 }]
tasks:
  wait_a_bit:
    action: core.noop
    delay: 2m
    next: [{ do: again }]
  again:
    action: core.noop
    delay: <% ctx().hold %>
`);
    r.start();
    assert.equal(runs(r, 'wait_a_bit')[0]!.notBefore, r.now + 120_000);
    r.now += 120_000;
    r.complete('wait_a_bit', ok());
    assert.equal(runs(r, 'again')[0]!.notBefore, r.now + 15_000);
  });

  test('timeout is passed on; a timeout result is a failure that failed() sees', () => {
    const wf = `version: 1.0
tasks:
  show_tech:
    action: network.cli command="show tech-support"
    timeout: 90s
    next:
      - when: <% failed() %>
        publish: { reason: <% task_status(show_tech) %> }
        do: collect_less
  collect_less:
    action: network.cli
output: [{ reason: <% ctx().reason %> }]
`;
    const r = new Rehearsal(wf);
    r.start();
    assert.equal(runs(r, 'show_tech')[0]!.timeoutMs, 90_000);
    r.play({ show_tech: [{ status: 'timeout', result: null }] });
    assert.deepEqual(r.path(), [
      ['show_tech', 'timeout'],
      ['collect_less', 'succeeded'],
    ]);
    assert.deepEqual(r.completed?.output, { reason: 'timeout' });

    const unhandled = new Rehearsal(wf.replace('<% failed() %>', '<% succeeded() %>'));
    unhandled.start();
    unhandled.play({ show_tech: [{ status: 'timeout', result: null }] });
    assert.equal(unhandled.completed?.status, 'failed');
    assert.equal(unhandled.completed?.errors[0]!.code, 'NRX_ERR_TIMEOUT');
  });
});

describe('rehearsal: wait_for', () => {
  const wf = `version: 1.0
input: [device, peer]
tasks:
  wait_established:
    wait_for:
      trigger: network.bgp_peer_state_changed
      criteria:
        trigger.peer: { type: equals, pattern: "{{ ctx().peer }}" }
        trigger.state: { type: equals, pattern: established }
      timeout: 60s
    next:
      - when: <% succeeded() %>
        publish: { state: <% result().payload.state %> }
        do: tell_chat
      - when: <% failed() %>
        do: open_ticket
  tell_chat: { action: chatops.post }
  open_ticket: { action: ticket.open }
output: [{ state: <% ctx().state %> }]
`;
  test('emits waitForEvent with rendered criteria and a deadline; the event is the result', () => {
    const r = new Rehearsal(wf);
    r.start({ device: 'leaf1', peer: '10.0.0.2' });
    const wait = r.commands[0] as WaitCmd;
    assert.deepEqual(wait, {
      kind: 'waitForEvent',
      taskKey: 'wait_established',
      taskName: 'wait_established',
      trigger: 'network.bgp_peer_state_changed',
      criteria: { 'trigger.peer': { type: 'equals', pattern: '10.0.0.2' }, 'trigger.state': { type: 'equals', pattern: 'established' } },
      deadline: r.now + 60_000,
    });
    r.arrive('wait_established', { id: 'ev1', trigger: 'network.bgp_peer_state_changed', payload: { peer: '10.0.0.2', state: 'established' } });
    r.play();
    assert.deepEqual(r.path(), [
      ['wait_established', 'succeeded'],
      ['tell_chat', 'succeeded'],
    ]);
    assert.deepEqual(r.completed?.output, { state: 'established' });
  });

  test('a wait that times out takes the failed() branch', () => {
    const r = new Rehearsal(wf);
    r.start({ device: 'leaf1', peer: '10.0.0.2' });
    r.complete('wait_established', { status: 'timeout', result: null });
    r.play();
    assert.deepEqual(r.path(), [
      ['wait_established', 'timeout'],
      ['open_ticket', 'succeeded'],
    ]);
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('eventArrived for a task that is not waiting is ignored', () => {
    const r = new Rehearsal(wf);
    r.start({ device: 'leaf1', peer: '10.0.0.2' });
    r.arrive('wait_established', { payload: { state: 'established' } });
    r.play();
    const before = JSON.stringify(r.state);
    assert.deepEqual(r.arrive('tell_chat', {}), []);
    assert.deepEqual(r.arrive('wait_established', {}), []);
    assert.equal(JSON.stringify(r.state), before);
  });
});

describe('rehearsal: pause, resume, cancel', () => {
  const wf = `version: 1.0
tasks:
  start:
    next: [{ do: [collect_logs, show_bgp] }]
  collect_logs:
    action: network.cli
    next: [{ when: <% succeeded() %>, do: upload }]
  show_bgp:
    action: network.cli
  upload:
    action: core.http
`;
  test('pause: no new tasks while pausing/paused; resume releases what was held', () => {
    const r = new Rehearsal(wf);
    r.start();
    r.request('pause');
    assert.equal(r.status(), 'pausing');
    r.complete('collect_logs', ok());
    assert.equal(r.status(), 'pausing', 'show_bgp is still running');
    assert.ok(!r.runKeys().includes('upload'), 'upload is held, not sent');
    r.complete('show_bgp', ok());
    assert.equal(r.status(), 'paused');
    assert.equal(r.isDone(), false);
    assert.deepEqual(
      r.path().find(([k]) => k === 'upload'),
      ['upload', 'held'],
    );
    assert.deepEqual(r.request('pause'), [], 'pausing twice is a no-op');
    const released = r.request('resume');
    assert.deepEqual(
      released.map((c) => c.kind === 'runTask' && c.taskKey),
      ['upload'],
    );
    assert.equal(r.status(), 'running');
    r.play();
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('pause holds with-items: no new items until resume', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  ping_all:
    with: { items: "<% [1, 2, 3, 4] %>", concurrency: 2 }
    action: network.ping target=<% item() %>
`);
    r.start();
    r.request('pause');
    r.complete('ping_all[0]', ok());
    r.complete('ping_all[1]', ok());
    assert.equal(r.status(), 'paused');
    assert.deepEqual(r.runKeys(), ['ping_all[0]', 'ping_all[1]']);
    r.request('resume');
    assert.deepEqual(r.runKeys(), ['ping_all[0]', 'ping_all[1]', 'ping_all[2]', 'ping_all[3]']);
    r.play();
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('cancel: cancelTask for every running task, then complete canceled once they report', () => {
    const r = new Rehearsal(wf);
    r.start();
    const cmds = r.request('cancel');
    assert.deepEqual(cmds, [
      { kind: 'cancelTask', taskKey: 'collect_logs' },
      { kind: 'cancelTask', taskKey: 'show_bgp' },
    ]);
    assert.equal(r.status(), 'canceling');
    r.complete('collect_logs', ok());
    assert.ok(!r.runKeys().includes('upload'), 'no transitions while canceling');
    assert.equal(r.isDone(), false);
    r.complete('show_bgp', { status: 'canceled' });
    assert.equal(r.completed?.status, 'canceled');
    assert.equal(r.status(), 'canceled');
    assert.equal(r.completed?.errors.at(-1)?.code, 'NRX_ERR_CANCELED');
    assert.deepEqual(r.request('resume'), [], 'a finished workflow ignores requests');
  });

  test('cancel while paused drops held commands and completes at once', () => {
    const r = new Rehearsal(wf);
    r.start();
    r.request('pause');
    r.complete('collect_logs', ok());
    r.complete('show_bgp', ok());
    const cmds = r.request('cancel');
    assert.deepEqual(
      cmds.map((c) => c.kind),
      ['complete'],
    );
    assert.deepEqual(
      r.path().find(([k]) => k === 'upload'),
      ['upload', 'canceled'],
    );
  });

  test('a task canceled outside a workflow cancel cancels the workflow', () => {
    const r = new Rehearsal(wf);
    r.start();
    const cmds = r.complete('show_bgp', { status: 'canceled' });
    assert.deepEqual(cmds, [{ kind: 'cancelTask', taskKey: 'collect_logs' }]);
    r.complete('collect_logs', { status: 'canceled' });
    assert.equal(r.completed?.status, 'canceled');
  });
});

describe('rehearsal: failures of the machinery and of expressions', () => {
  test('abandoned is a failure with NRX_ERR_ABANDONED and follows the failure path', () => {
    const wf = `version: 1.0
tasks:
  commit:
    action: network.commit
    next: [{ when: <% failed() %>, do: rollback }]
  rollback: { action: network.rollback }
`;
    const handled = new Rehearsal(wf);
    handled.start();
    handled.complete('commit', { status: 'abandoned' });
    assert.deepEqual(handled.state.runs.commit!.error?.code, 'NRX_ERR_ABANDONED');
    handled.play();
    assert.deepEqual(handled.path(), [
      ['commit', 'abandoned'],
      ['rollback', 'succeeded'],
    ]);
    const unhandled = new Rehearsal(wf.replace('failed()', 'succeeded()'));
    unhandled.start();
    unhandled.complete('commit', { status: 'abandoned' });
    assert.equal(unhandled.completed?.status, 'failed');
    assert.equal(unhandled.completed?.errors[0]!.code, 'NRX_ERR_ABANDONED');
  });

  test('redelivered and unknown task events are ignored', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  a: { action: core.noop, next: [{ do: b }] }
  b: { action: core.noop }
`);
    r.start();
    r.complete('a', ok());
    const snapshot = JSON.stringify(r.state);
    assert.deepEqual(r.complete('a', ok()), []);
    assert.deepEqual(r.complete('a', bad()), []);
    assert.deepEqual(r.complete('nope', ok()), []);
    assert.deepEqual(r.complete('b[3]', ok()), []);
    assert.equal(JSON.stringify(r.state), snapshot);
    assert.deepEqual(r.runKeys(), ['a', 'b']);
  });

  test('a render error in a transition fails the workflow naming task, file, line and field', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  diagnose:
    action: network.get_bgp_neighbors
    next:
      - when: <% succeeded() %>
        publish: { peer_state: <% ctx(peer_sate) %> }
        do: repair
  repair: { action: network.bgp_soft_clear }
`);
    r.start();
    r.complete('diagnose', ok());
    assert.equal(r.completed?.status, 'failed');
    const e = r.completed!.errors[0]!;
    assert.equal(e.code, 'NRX_ERR_WORKFLOW');
    assert.equal(e.task, 'diagnose');
    assert.match(e.message, /workflows\/rehearsal\.yaml, line 3, field 'tasks\.diagnose\.next\[0\]\.publish\[0\]'/);
    assert.match(e.message, /peer_sate/);
    assert.ok(!r.runKeys().includes('repair'));
  });

  test('a render error in task input fails the workflow before the task runs', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  a: { action: core.echo, input: { message: "{{ ctx('nope') }}" } }
`);
    r.start();
    assert.equal(r.runKeys().length, 0);
    assert.equal(r.completed?.status, 'failed');
    assert.match(r.completed!.errors[0]!.message, /field 'tasks\.a\.input\.message'.*nope/);
  });

  test('output render errors fail an otherwise successful workflow', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  a: { action: core.noop }
output: [{ x: <% ctx(missing) %> }]
`);
    r.start();
    r.play();
    assert.equal(r.completed?.status, 'failed');
    assert.match(r.completed!.errors[0]!.message, /output\[0\].*missing/);
  });

  test('bad input defaults fail at start', () => {
    const r = new Rehearsal(`version: 1.0
input: [{ vrf: <% ctx(nothing) %> }]
tasks:
  a: { action: core.noop }
`);
    r.start();
    assert.equal(r.completed?.status, 'failed');
    assert.equal(r.commands.length, 1);
  });
});

describe('rehearsal: the design sketch of the BGP peer-down workflow', () => {
  const text = readFileSync(new URL('./fixtures/bgp-peer-down.yaml', import.meta.url), 'utf8');
  const neighbors = ok({ neighbors: { '10.0.0.2': { admin_down: false } } });

  test('peer comes back: diagnose, repair, wait, tell chat', () => {
    const r = new Rehearsal(text);
    r.start({ device: 'leaf1', peer: '10.0.0.2' });
    r.play({ diagnose: [neighbors] });
    assert.equal(r.pending[0]!.kind, 'waitForEvent');
    r.arrive('wait_established', { payload: { peer: '10.0.0.2', state: 'established' } });
    r.play();
    assert.deepEqual(
      r.path().map(([k]) => k),
      ['diagnose', 'repair', 'wait_established', 'tell_chat'],
    );
    assert.deepEqual(runs(r, 'tell_chat')[0]!.input, { message: '10.0.0.2 on leaf1 is back' });
    assert.deepEqual(r.completed?.output, { admin_down: false, outcome: 'repaired' });
  });

  test('peer stays down: collect logs and open a ticket in parallel', () => {
    const r = new Rehearsal(text);
    r.start({ device: 'leaf1', peer: '10.0.0.2' });
    r.play({ diagnose: [neighbors] });
    r.now += 60_000;
    r.complete('wait_established', { status: 'timeout' });
    assert.deepEqual(
      r.pending.map((p) => p.taskKey),
      ['collect_logs', 'open_ticket'],
    );
    assert.deepEqual(runs(r, 'collect_logs')[0]!.input, { command: 'show logging | include BGP', device: 'leaf1' });
    r.play();
    assert.deepEqual(r.completed?.output, { admin_down: false, outcome: 'escalated' });
    assert.equal(r.completed?.status, 'succeeded');
  });
});
