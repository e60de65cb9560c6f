// The ActionChain conductor against StackStorm's own example chains, with mocked results.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseYaml } from '../../../src/core/yaml.js';
import { actionChainConductor as conductor } from '../../../src/workflows/actionchain/conductor.js';
import { parseActionChain } from '../../../src/workflows/actionchain/spec.js';
import { taskPath } from '../../../src/workflows/actionchain/state.js';
import type { TaskOutcome } from '../../../src/workflows/conductor.js';
import { drive, loadChain, rehearse, stepChecked, type RunTask } from './rehearse.js';

const stdout = (s: string) => ({ status: 'succeeded' as const, result: { stdout: s, stderr: '', return_code: 0, succeeded: true } });
const env = { action_context: { parent: { execution_id: 'ex-parent-1' } } };

describe('echochain.yaml', () => {
  const spec = loadChain('echochain.yaml');

  test('all succeed: c1 -> c2 -> c3, action_context reaches c2', () => {
    const r = rehearse(spec, {}, {}, env);
    assert.deepEqual(taskPath(r.state), [
      { name: 'c1', key: 'c1', status: 'succeeded' },
      { name: 'c2', key: 'c2', status: 'succeeded' },
      { name: 'c3', key: 'c3', status: 'succeeded' },
    ]);
    assert.equal(r.complete?.status, 'succeeded');
    assert.equal(r.runs[0]!.action, 'core.local');
    assert.deepEqual(r.runs[0]!.input, { cmd: 'echo c1' });
    // cmd is a shell line: the value is assigned to a variable and referenced in its place.
    assert.deepEqual(r.runs[1]!.input, { cmd: 'NRX_V1=\'ex-parent-1\'\necho "c2: parent exec is ${NRX_V1}."' });
    assert.equal(conductor.status(r.state), 'succeeded');
  });

  test('c2 fails: on-failure c4 runs and the chain is failed', () => {
    const r = rehearse(spec, {}, { c2: { status: 'failed', result: { return_code: 1 }, error: { code: 'NRX_ERR_RUNNER_FAILED', message: 'exit 1' } } }, env);
    assert.deepEqual(
      taskPath(r.state).map((t) => `${t.name}:${t.status}`),
      ['c1:succeeded', 'c2:failed', 'c4:succeeded'],
    );
    assert.equal(r.complete?.status, 'failed');
    assert.deepEqual(r.complete?.errors, [{ task: 'c2', code: 'NRX_ERR_RUNNER_FAILED', message: 'exit 1' }]);
  });

  test('an abandoned in-flight node follows on-failure', () => {
    const r = rehearse(spec, {}, { c1: { status: 'abandoned' } }, env);
    assert.deepEqual(
      taskPath(r.state).map((t) => `${t.name}:${t.status}`),
      ['c1:abandoned', 'c4:succeeded'],
    );
    assert.equal(r.complete?.status, 'failed');
    assert.equal(r.complete?.errors[0]!.code, 'NRX_ERR_ABANDONED');
  });

  test('a timed-out node follows on-failure', () => {
    const r = rehearse(spec, {}, { c3: { status: 'timeout' } }, env);
    assert.deepEqual(
      taskPath(r.state).map((t) => t.name),
      ['c1', 'c2', 'c3', 'c4'],
    );
    assert.equal(r.complete?.status, 'failed');
  });

  test('a node canceled from outside cancels the chain', () => {
    const r = rehearse(spec, {}, { c2: { status: 'canceled' } }, env);
    assert.deepEqual(
      taskPath(r.state).map((t) => t.name),
      ['c1', 'c2'],
    );
    assert.equal(r.complete?.status, 'canceled');
  });
});

describe('publish_data.yaml', () => {
  const spec = loadChain('publish_data.yaml');
  const input = { system_info_path: '/system-info' };
  const st2kv = { st2kv: { system: { domain: 'example.net' } } };

  test('publishes from results and vars; later nodes render with them', () => {
    const r = rehearse(spec, input, { get_host: stdout('nrx1') }, st2kv);
    assert.equal(r.complete?.status, 'succeeded');
    assert.deepEqual(
      r.runs.map((c) => c.taskName),
      ['get_host', 'say_the_names', 'call_api', 'call_webui'],
    );
    assert.deepEqual(r.complete?.output['published'], {
      api_url: 'http://nrx1:9101',
      webui_url: 'http://nrx1:8080',
      host: 'nrx1',
      fqdn: 'nrx1.example.net',
      paths: { api: ['v1/actions', 'v1/triggers'], webui: '/', auth_port: 9102, system_info: '/system-info' },
    });
    assert.deepEqual(r.runs[0]!.input, { cmd: "hostname | tr -d ' \\n'" });
    assert.deepEqual(r.runs[1]!.input, {
      cmd: 'NRX_V1=\'nrx1\'\nNRX_V2=\'example.net\'\nNRX_V3=\'nrx1.example.net\'\nNRX_V4=\'http://nrx1:9101\'\nNRX_V5=\'http://nrx1:8080\'\necho host="${NRX_V1}", domain="${NRX_V2}", fqdn="${NRX_V3}", api_url="${NRX_V4}", webui_url="${NRX_V5}"',
    });
    assert.deepEqual(r.runs[2]!.input, { method: 'GET', url: 'http://nrx1:9101/v1/actions' });
    assert.deepEqual(r.runs[3]!.input, { method: 'GET', url: 'http://nrx1:8080//', allow_redirects: true });
    const tasks = r.complete?.output['tasks'] as Array<{ name: string; result: unknown }>;
    assert.deepEqual(tasks[0], { name: 'get_host', status: 'succeeded', result: stdout('nrx1').result });
  });

  test('a domain missing from the datastore leaves the fqdn bare', () => {
    const r = rehearse(spec, input, { get_host: stdout('nrx1') }, { st2kv: { system: {} } });
    assert.equal((r.complete?.output['published'] as Record<string, unknown>)['fqdn'], 'nrx1');
  });

  test('get_host fails: no on-failure, the chain ends failed after one node', () => {
    const r = rehearse(spec, input, { get_host: { status: 'failed', result: { stdout: '', stderr: 'no hostname' } } }, st2kv);
    assert.deepEqual(
      r.runs.map((c) => c.taskName),
      ['get_host'],
    );
    assert.equal(r.complete?.status, 'failed');
  });

  test('__results holds every completed result by node name', () => {
    const spec2 = parseActionChain(
      parseYaml(
        'chain:\n  - name: a\n    ref: core.noop\n    on-success: b\n  - name: b\n    ref: core.echo\n    parameters:\n      message: "{{ __results.a.answer }}"\n',
        'results.yaml',
      ),
    );
    const r = rehearse(spec2, {}, { a: { status: 'succeeded', result: { answer: 42 } } });
    assert.deepEqual(r.runs[1]!.input, { message: 42 });
  });
});

describe('params alias and loops', () => {
  test('chain_sequential.yaml (params, publish chaining) runs task1..task3', () => {
    const spec = loadChain('chain_sequential.yaml');
    const r = rehearse(spec, { name: 'Lakshmi' }, (run) => stdout(String((run.input as { message: unknown }).message)));
    assert.deepEqual(
      r.runs.map((c) => c.input),
      [{ message: 'Lakshmi' }, { message: 'All your base are belong to us!' }, { message: 'Lakshmi, All your base are belong to us!' }],
    );
    assert.deepEqual(r.complete?.output['published'], { greeting: 'Lakshmi, All your base are belong to us!' });
  });

  test('forloop_chain.yaml: a node that runs again gets key name#2', () => {
    const spec = loadChain('forloop_chain.yaml');
    let pages = 0;
    const r = rehearse(spec, { github_organization_url: 'https://example.net/org' }, (run) => {
      if (run.taskName === 'increase_index_and_check_condition')
        return ++pages < 3 ? { status: 'succeeded', result: { result: pages * 30 } } : { status: 'failed' };
      return { status: 'succeeded', result: { result: `${run.taskKey}-data` } };
    });
    const keys = taskPath(r.state).map((t) => t.key);
    assert.deepEqual(keys.slice(0, 5), [
      'get_github_page',
      'parse_github_repos',
      'push_github_repos',
      'increase_index_and_check_condition',
      'get_github_page#2',
    ]);
    assert.deepEqual(keys.slice(-2), ['increase_index_and_check_condition#3', 'finished']);
    // The second page request sees the latest result of the loop counter.
    assert.deepEqual(r.runs[4]!.input, { url: 'https://example.net/org', page: '30' });
    assert.equal(r.runs[5]!.input['content'], 'get_github_page#2-data');
    assert.equal(r.complete?.status, 'failed');
  });
});

describe('render errors', () => {
  test('a parameter that does not render fails the chain, naming node and field', () => {
    const spec = parseActionChain(
      parseYaml(
        'chain:\n  - name: first\n    ref: core.noop\n    on-success: second\n  - name: second\n    ref: core.local\n    parameters:\n      cmd: "echo {{ x | no_such_filter }}"\n',
        'bad_param.yaml',
      ),
    );
    const r = rehearse(spec, {}, {});
    assert.equal(r.complete?.status, 'failed');
    assert.deepEqual(
      taskPath(r.state).map((t) => t.name),
      ['first'],
    );
    const err = r.complete!.errors[0]!;
    assert.equal(err.task, 'second');
    assert.equal(err.code, 'NRX_ERR_TEMPLATE');
    assert.match(err.message, /node 'second'/);
    assert.match(err.message, /bad_param\.yaml, line 8, field 'chain\[1\]\.parameters\.cmd'/);
  });

  test('the first node failing to render completes at start', () => {
    const spec = parseActionChain(parseYaml('chain:\n  - name: only\n    ref: core.echo\n    params:\n      message: "{{ nothing() }}"\n', 'start.yaml'));
    const s = conductor.start(spec, {}, 0);
    assert.equal(s.commands.length, 1);
    assert.equal(s.commands[0]!.kind, 'complete');
    assert.equal(conductor.status(s.state), 'failed');
  });

  test('a var that does not render fails the chain with the vars field', () => {
    const spec = loadChain('publish_data.yaml');
    const bad = { ...spec, vars: [{ name: 'domain', value: '{{ st2kv.system.domain | decrypt_kv }}', line: 3 }] };
    const s = conductor.start(bad, {}, 0);
    const done = s.commands[0]!;
    assert.equal(done.kind, 'complete');
    if (done.kind !== 'complete') return;
    assert.equal(done.status, 'failed');
    assert.match(done.errors[0]!.message, /line 3, field 'vars\.domain'/);
  });

  test('a publish that does not render fails the chain', () => {
    const spec = parseActionChain(
      parseYaml(
        'chain:\n  - name: a\n    ref: core.noop\n    publish:\n      x: "{{ a.stdout | from_json_string }}"\n    on-success: b\n  - name: b\n    ref: core.noop\n',
        'pub.yaml',
      ),
    );
    const r = rehearse(spec, {}, { a: stdout('not json') });
    assert.equal(r.complete?.status, 'failed');
    assert.match(r.complete!.errors[0]!.message, /node 'a' publish 'x'.*field 'chain\[0\]\.publish\.x'/);
  });
});

describe('pause, resume, cancel', () => {
  const spec = loadChain('echochain.yaml');

  test('pause lets the running node finish, holds, and resume continues', () => {
    const s0 = conductor.start(spec, {}, 0, env);
    const s1 = stepChecked(spec, s0.state, { kind: 'pause', now: 1 });
    assert.deepEqual(s1.commands, []);
    assert.equal(conductor.status(s1.state), 'pausing');
    const s2 = stepChecked(spec, s1.state, { kind: 'taskCompleted', taskKey: 'c1', status: 'succeeded', result: {}, now: 2 });
    assert.deepEqual(s2.commands, []);
    assert.equal(conductor.status(s2.state), 'paused');
    assert.equal(stepChecked(spec, s2.state, { kind: 'pause', now: 3 }).state.status, 'paused');
    const s3 = stepChecked(spec, s2.state, { kind: 'resume', now: 4 });
    assert.equal(conductor.status(s3.state), 'running');
    assert.deepEqual(
      s3.commands.map((c) => (c as RunTask).taskKey),
      ['c2'],
    );
    const r = drive(spec, s3, {});
    assert.equal(r.complete?.status, 'succeeded');
    assert.deepEqual(
      taskPath(r.state).map((t) => t.name),
      ['c1', 'c2', 'c3'],
    );
  });

  test('resume while still pausing goes back to running without a new task', () => {
    const s0 = conductor.start(spec, {}, 0, env);
    const s1 = stepChecked(spec, s0.state, { kind: 'pause', now: 1 });
    const s2 = stepChecked(spec, s1.state, { kind: 'resume', now: 2 });
    assert.deepEqual(s2.commands, []);
    assert.equal(conductor.status(s2.state), 'running');
    const s3 = stepChecked(spec, s2.state, { kind: 'taskCompleted', taskKey: 'c1', status: 'succeeded', result: {}, now: 3 });
    assert.deepEqual(
      s3.commands.map((c) => c.kind),
      ['runTask'],
    );
  });

  test('a paused chain whose last node finished completes instead of holding', () => {
    const one = parseActionChain(parseYaml('chain:\n  - name: only\n    ref: core.noop\n', 'one.yaml'));
    const s0 = conductor.start(one, {}, 0);
    const s1 = stepChecked(one, s0.state, { kind: 'pause', now: 1 });
    const s2 = stepChecked(one, s1.state, { kind: 'taskCompleted', taskKey: 'only', status: 'succeeded', result: {}, now: 2 });
    assert.equal(s2.commands[0]?.kind, 'complete');
    assert.equal(conductor.status(s2.state), 'succeeded');
  });

  test('cancel a running chain: cancelTask for the node, then complete canceled', () => {
    const s0 = conductor.start(spec, {}, 0, env);
    const s1 = stepChecked(spec, s0.state, { kind: 'taskCompleted', taskKey: 'c1', status: 'succeeded', result: {}, now: 1 });
    const s2 = stepChecked(spec, s1.state, { kind: 'cancel', now: 2 });
    assert.deepEqual(
      s2.commands.map((c) => c.kind),
      ['cancelTask', 'complete'],
    );
    assert.deepEqual(s2.commands[0], { kind: 'cancelTask', taskKey: 'c2' });
    const done = s2.commands[1]!;
    assert.equal(done.kind === 'complete' && done.status, 'canceled');
    assert.deepEqual(
      taskPath(s2.state).map((t) => `${t.name}:${t.status}`),
      ['c1:succeeded', 'c2:canceled'],
    );
    // The node's late report is ignored.
    const late = stepChecked(spec, s2.state, { kind: 'taskCompleted', taskKey: 'c2', status: 'succeeded', result: {}, now: 3 });
    assert.deepEqual(late, { state: s2.state, commands: [] });
  });

  test('cancel a paused chain: nothing in flight, complete canceled', () => {
    const s0 = conductor.start(spec, {}, 0, env);
    const s1 = stepChecked(spec, s0.state, { kind: 'pause', now: 1 });
    const s2 = stepChecked(spec, s1.state, { kind: 'taskCompleted', taskKey: 'c1', status: 'succeeded', result: {}, now: 2 });
    const s3 = stepChecked(spec, s2.state, { kind: 'cancel', now: 3 });
    assert.deepEqual(
      s3.commands.map((c) => c.kind),
      ['complete'],
    );
    assert.equal(conductor.status(s3.state), 'canceled');
  });

  test('controls that do not apply change nothing (a running chain keeps running)', () => {
    const s0 = conductor.start(spec, {}, 0, env);
    assert.deepEqual(conductor.step(spec, s0.state, { kind: 'resume', now: 1 }), { state: s0.state, commands: [] });
    const done = conductor.step(spec, s0.state, { kind: 'cancel', now: 1 });
    assert.equal(conductor.status(done.state), 'canceled');
    for (const kind of ['pause', 'resume', 'cancel'] as const) {
      assert.deepEqual(conductor.step(spec, done.state, { kind, now: 2 }), { state: done.state, commands: [] });
    }
    const finished = rehearse(spec, {}, {}, env);
    assert.deepEqual(conductor.step(spec, finished.state, { kind: 'pause', now: 9 }).commands, []);
    assert.equal(conductor.status(conductor.step(spec, finished.state, { kind: 'cancel', now: 9 }).state), 'succeeded');
  });

  test('events for unknown or finished task keys, and eventArrived, change nothing', () => {
    const s0 = conductor.start(spec, {}, 0, env);
    for (const event of [
      { kind: 'taskCompleted', taskKey: 'nope', status: 'succeeded', result: {}, now: 1 },
      { kind: 'taskCompleted', taskKey: 'c2', status: 'failed', result: {}, now: 1 },
      { kind: 'eventArrived', taskKey: 'c1', event: {}, now: 1 },
    ] as const) {
      assert.deepEqual(conductor.step(spec, s0.state, event), { state: s0.state, commands: [] });
    }
    const s1 = conductor.step(spec, s0.state, { kind: 'taskCompleted', taskKey: 'c1', status: 'succeeded', result: {}, now: 2 });
    const again = conductor.step(spec, s1.state, { kind: 'taskCompleted', taskKey: 'c1', status: 'failed', result: {}, now: 3 });
    assert.deepEqual(again, { state: s1.state, commands: [] });
  });
});

describe('properties', () => {
  const spec = loadChain('vm_provision.yaml');
  const edges = new Map(spec.nodes.map((n) => [n.name, n]));
  const outcome = fc.constantFrom<TaskOutcome>('succeeded', 'succeeded', 'failed', 'timeout', 'abandoned');

  test('any outcomes: the path follows on-success/on-failure and the status matches', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...spec.nodes.map((n) => n.name)), outcome), (outcomes) => {
        const r = rehearse(spec, { vm_name: 'x' }, (run) => ({ status: outcomes[run.taskName] ?? 'succeeded', result: { result: { id: 'i' } } }));
        const path = taskPath(r.state);
        assert.equal(path[0]!.name, 'create_vm');
        for (let i = 0; i + 1 < path.length; i++) {
          const node = edges.get(path[i]!.name)!;
          assert.equal(path[i + 1]!.name, path[i]!.status === 'succeeded' ? node.onSuccess : node.onFailure);
        }
        const last = path.at(-1)!;
        const lastNode = edges.get(last.name)!;
        assert.equal(last.status === 'succeeded' ? lastNode.onSuccess : lastNode.onFailure, null);
        assert.equal(r.complete?.status, path.every((t) => t.status === 'succeeded') ? 'succeeded' : 'failed');
      }),
    );
  });
});

test('the runaway guard: a chain that loops forever fails at its limit with NRX_ERR_WORKFLOW_RUNAWAY', () => {
  const spec = parseActionChain(parseYaml('chain:\n  - name: poll\n    ref: core.noop\n    on-success: poll\ndefault: poll\n', 'workflows/loop.yaml'));
  const first = conductor.start(spec, {}, 0, {}, {}, { maxTaskExecutions: 5 });
  const r = drive(spec, first, {}, 50);
  assert.equal(r.runs.length, 5);
  assert.equal(r.complete?.status, 'failed');
  assert.equal(r.complete?.errors.at(-1)?.code, 'NRX_ERR_WORKFLOW_RUNAWAY');
  assert.match(r.complete!.errors.at(-1)!.message, /limit of 5/);
});
