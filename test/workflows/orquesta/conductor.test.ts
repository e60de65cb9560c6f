import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { bad, ok, Rehearsal, type RunTaskCmd } from './rehearsal.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('rehearsal: sequence, publish, branching', () => {
  test('sequential tasks publish into ctx and output is rendered from it', () => {
    const r = new Rehearsal(`version: 1.0
input:
  - device
  - peer
  - vrf: <% ctx().device %>-default
vars:
  - attempts: 0
output:
  - admin_down: <% ctx(admin_down) %>
  - summary: "{{ ctx().device }} {{ ctx().peer }} cleared={{ ctx().cleared }}"
tasks:
  diagnose:
    action: network.get_bgp_neighbors
    input: { device: <% ctx().device %>, vrf: <% ctx().vrf %> }
    next:
      - when: <% succeeded() %>
        publish:
          - admin_down: <% result().neighbors[ctx().peer].admin_down %>
          - attempts: <% ctx().attempts + 1 %>
        do: repair
  repair:
    action: network.bgp_soft_clear device=<% ctx().device %> peer=<% ctx().peer %>
    next:
      - when: <% succeeded() %>
        publish: { cleared: true }
`);
    r.start({ device: 'leaf1', peer: '10.0.0.2' });
    r.play({ diagnose: [ok({ neighbors: { '10.0.0.2': { admin_down: false } } })] });
    assert.deepEqual(r.runKeys(), ['diagnose', 'repair']);
    const repair = r.commands.find((c): c is RunTaskCmd => c.kind === 'runTask' && c.taskKey === 'repair')!;
    assert.deepEqual(repair.input, { device: 'leaf1', peer: '10.0.0.2' });
    const diagnose = r.commands.find((c): c is RunTaskCmd => c.kind === 'runTask' && c.taskKey === 'diagnose')!;
    assert.deepEqual(diagnose.input, { device: 'leaf1', vrf: 'leaf1-default' });
    assert.equal(r.state.ctx.attempts, 1);
    assert.deepEqual(r.completed, { kind: 'complete', status: 'succeeded', output: { admin_down: false, summary: 'leaf1 10.0.0.2 cleared=true' }, errors: [] });
  });

  const branching = `version: 1.0
tasks:
  ping:
    action: network.ping
    next:
      - when: <% succeeded() %>
        publish: reachable=true
        do: tell_chat
      - when: <% failed() %>
        publish: reachable=false
        do: open_ticket
  tell_chat:
    action: chatops.post
  open_ticket:
    action: ticket.open message=<% task_status(ping) %>
output:
  - reachable: <% ctx().reachable %>
`;
  test('branching on succeeded()', () => {
    const r = new Rehearsal(branching);
    r.start();
    r.play();
    assert.deepEqual(r.path(), [
      ['ping', 'succeeded'],
      ['tell_chat', 'succeeded'],
    ]);
    assert.equal(r.completed?.status, 'succeeded');
  });
  test('branching on failed(): the failure is handled and the workflow succeeds', () => {
    const r = new Rehearsal(branching);
    r.start();
    r.play({ ping: [bad()] });
    assert.deepEqual(r.path(), [
      ['ping', 'failed'],
      ['open_ticket', 'succeeded'],
    ]);
    assert.deepEqual((r.commands[1] as RunTaskCmd).input, { message: 'failed' });
    assert.deepEqual(r.completed, { kind: 'complete', status: 'succeeded', output: { reachable: false }, errors: [] });
  });

  test('unhandled failure: running branches finish, nothing new starts, errors name the task', () => {
    const r = new Rehearsal(`version: 1.0
vars: [{ progress: 0 }]
output: [{ progress: <% ctx().progress %> }]
tasks:
  start:
    next: [{ do: [backup, push_config] }]
  backup:
    action: network.backup_config
    next: [{ when: <% succeeded() %>, publish: { progress: 50 }, do: archive }]
  archive:
    action: core.noop
  push_config:
    action: network.load_merge
    next: [{ when: <% succeeded() %>, do: commit }]
  commit:
    action: network.commit
`);
    r.start();
    assert.deepEqual(
      r.pending.map((p) => p.taskKey),
      ['backup', 'push_config'],
    );
    r.complete('push_config', bad({ stderr: '% Invalid input' }, 'rejected'));
    assert.equal(r.status(), 'running');
    assert.equal(r.isDone(), false, 'waits for backup to finish');
    r.complete('backup', ok());
    assert.deepEqual(r.runKeys(), ['backup', 'push_config'], 'archive is not started after the failure');
    assert.equal(r.completed?.status, 'failed');
    assert.deepEqual(r.completed?.output, { progress: 50 }, 'output is rendered on failure too');
    assert.equal(r.completed?.errors.length, 1);
    assert.equal(r.completed?.errors[0]!.task, 'push_config');
    assert.equal(r.completed?.errors[0]!.code, 'NRX_ERR_RUNNER_FAILED');
    assert.match(r.completed!.errors[0]!.message, /push_config.*rejected/);
  });

  test('engine commands: continue fails after publishing, noop handles, fail fails after listed tasks', () => {
    const wf = (cmd: string) => `version: 1.0
tasks:
  t1:
    action: core.local cmd="exit 1"
    next:
      - when: <% succeeded() %>
        do: log
      - when: <% failed() %>
        publish: message=oops
        do: ${cmd}
  log:
    action: core.echo message=<% ctx(message) %>
output: [{ message: <% ctx().message %> }]
`;
    const cont = new Rehearsal(wf('continue'));
    cont.start();
    cont.play({ t1: [bad()] });
    assert.equal(cont.completed?.status, 'failed');
    assert.deepEqual(cont.completed?.output, { message: 'oops' });

    const noop = new Rehearsal(wf('noop'));
    noop.start();
    noop.play({ t1: [bad()] });
    assert.equal(noop.completed?.status, 'succeeded');

    const fail = new Rehearsal(wf('[log, fail]'));
    fail.start();
    fail.play({ t1: [bad()] });
    assert.deepEqual(fail.runKeys(), ['t1', 'log'], 'log still runs: it is listed with fail');
    assert.equal(fail.completed?.status, 'failed');
    assert.match(fail.completed!.errors.map((e) => e.message).join(';'), /transition says fail/);
  });

  test('loops give each run its own key: check, rollback, check#2', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  init:
    action: core.noop
    next: [{ do: check }]
  check:
    action: network.check_config
    next:
      - when: <% succeeded() %>
        do: done
      - when: <% failed() %>
        do: rollback
  rollback:
    action: network.rollback
    next: [{ when: <% succeeded() %>, do: check }]
  done:
    action: core.noop
`);
    r.start();
    r.play({ check: [bad(), bad(), ok()] });
    assert.deepEqual(r.runKeys(), ['init', 'check', 'rollback', 'check#2', 'rollback#2', 'check#3', 'done']);
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('env values are visible to expressions; routing tasks run no action', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  route:
    next: [{ when: "{{ action_context.user == 'ops' }}", do: act }]
  act:
    action: core.echo message="{{ action_context.user }}"
`);
    r.start({}, { action_context: { user: 'ops' } });
    r.play();
    assert.deepEqual(r.path(), [
      ['route', 'succeeded'],
      ['act', 'succeeded'],
    ]);
    assert.deepEqual((r.commands[0] as RunTaskCmd).input, { message: 'ops' });
  });
});

describe('rehearsal: parallel branches and join', () => {
  test('the StackStorm join example: four branches meet once, publishes merge', () => {
    const r = new Rehearsal(fixture('orquesta-join.yaml'));
    r.start();
    r.play({
      task2: [ok({ stdout: 'Fee fi' })],
      task3: [ok({ stdout: 'fo fum' })],
      task4: [ok({ stdout: 'I smell the blood of an English man' })],
      task7: [ok({ stdout: 'Be alive, or be he dead' })],
    });
    const keys = r.runKeys();
    assert.equal(keys.filter((k) => k.startsWith('task10')).length, 1, 'the barrier runs once');
    assert.equal(keys.at(-1), 'task10');
    assert.deepEqual((r.commands.find((c) => c.kind === 'runTask' && c.taskKey === 'task2') as RunTaskCmd).input, { message: 'Fee fi' });
    assert.deepEqual(r.completed?.output, {
      messages: ['Fee fi fo fum', 'I smell the blood of an English man', 'Be alive, or be he dead', "I'll grind his bones to make my bread"],
    });
  });

  test('join all whose other branch can no longer arrive never opens and fails the workflow, as orquesta (unreachable join)', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  start:
    next: [{ do: [a, b] }]
  a:
    action: core.noop
    next: [{ when: <% succeeded() %>, do: barrier }]
  b:
    action: core.noop
    next: [{ when: <% result().changed %>, do: barrier }]
  barrier:
    join: all
    action: core.noop
`);
    r.start();
    r.complete('a', ok());
    assert.deepEqual(
      r.pending.map((p) => p.taskKey),
      ['b'],
      'b may still arrive',
    );
    r.complete('b', ok({ changed: false }));
    assert.deepEqual(r.runKeys(), ['a', 'b'], 'the barrier never runs');
    assert.equal(r.completed?.status, 'failed');
    assert.match(r.completed!.errors[0]!.message, /join all of task 'barrier' was not met: only a arrived/);
  });

  test('join N opens after N arrivals and runs once', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  start:
    next: [{ do: [r1, r2, r3] }]
  r1: { action: network.ping, next: [{ when: <% succeeded() %>, do: quorum }] }
  r2: { action: network.ping, next: [{ when: <% succeeded() %>, do: quorum }] }
  r3: { action: network.ping, next: [{ when: <% succeeded() %>, do: quorum }] }
  quorum:
    join: 2
    action: core.noop
`);
    r.start();
    r.complete('r2', ok());
    assert.ok(!r.runKeys().includes('quorum'));
    r.complete('r3', ok());
    assert.ok(r.runKeys().includes('quorum'), 'opens on the second arrival, r1 still running');
    r.complete('r1', ok());
    r.play();
    assert.equal(r.runKeys().filter((k) => k.startsWith('quorum')).length, 1);
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('join N that cannot be met fails the workflow', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  start:
    next: [{ do: [r1, r2] }]
  r1: { action: network.ping, next: [{ when: <% succeeded() %>, do: quorum }, { when: <% failed() %>, do: noop }] }
  r2: { action: network.ping, next: [{ when: <% succeeded() %>, do: quorum }, { when: <% failed() %>, do: noop }] }
  quorum:
    join: 2
    action: core.noop
`);
    r.start();
    r.play({ r2: [bad()] });
    assert.equal(r.completed?.status, 'failed');
    assert.match(r.completed!.errors[0]!.message, /join 2 of task 'quorum' was not met/);
  });
});

describe('rehearsal: with-items', () => {
  const items = (concurrency: string) => `version: 1.0
input: [devices]
tasks:
  backup:
    with:
      items: dev in <% ctx(devices) %>
      ${concurrency}
    action: network.backup_config device=<% item(dev) %>
    next:
      - when: <% succeeded() %>
        publish: { files: <% result() %> }
output: [{ files: <% ctx().files %> }]
`;
  const devices = ['r1', 'r2', 'r3', 'r4', 'r5'];

  test('without concurrency every item starts at once; result() is in item order', () => {
    const r = new Rehearsal(items(''));
    r.start({ devices });
    assert.deepEqual(
      r.pending.map((p) => p.taskKey),
      ['backup[0]', 'backup[1]', 'backup[2]', 'backup[3]', 'backup[4]'],
    );
    assert.deepEqual(
      r.pending.map((p) => (p as RunTaskCmd).input.device),
      devices,
    );
    assert.deepEqual(
      r.pending.map((p) => (p as RunTaskCmd).itemIndex),
      [0, 1, 2, 3, 4],
    );
    for (const i of [4, 2, 0, 3, 1]) r.complete(`backup[${i}]`, ok({ file: `${devices[i]}.cfg` }));
    assert.deepEqual(r.completed?.output, { files: devices.map((d) => ({ file: `${d}.cfg` })) });
    assert.deepEqual(r.path(), [['backup', 'succeeded']]);
  });

  test('concurrency caps the items in flight', () => {
    const r = new Rehearsal(items('concurrency: 2'));
    r.start({ devices });
    r.play({ backup: (cmd) => ok({ file: `${String(cmd.input.device)}.cfg` }) });
    assert.equal(r.maxInFlight.backup, 2);
    assert.equal(r.runKeys().length, 5);
    assert.deepEqual(r.completed?.output, { files: devices.map((d) => ({ file: `${d}.cfg` })) });
  });

  test('an item failure fails the task after the items in flight finish; no new items start', () => {
    const r = new Rehearsal(items('concurrency: 2'));
    r.start({ devices });
    r.complete('backup[0]', bad({}, 'ssh timeout'));
    assert.equal(r.isDone(), false, 'backup[1] is still in flight');
    assert.deepEqual(
      r.pending.map((p) => p.taskKey),
      ['backup[1]'],
    );
    r.complete('backup[1]', ok({ file: 'r2.cfg' }));
    assert.deepEqual(r.runKeys(), ['backup[0]', 'backup[1]']);
    assert.equal(r.completed?.status, 'failed');
    assert.match(r.completed!.errors[0]!.message, /item 0 failed: ssh timeout/);
    assert.deepEqual(r.state.runs.backup!.result, [{}, { file: 'r2.cfg' }, null, null, null]);
  });

  test('named items over zip(): host, command in <% zip(...) %>', () => {
    const r = new Rehearsal(`version: 1.0
input: [hosts, commands]
tasks:
  run_cli:
    with: host, command in <% zip(ctx(hosts), ctx(commands)) %>
    action: network.cli device=<% item(host) %> command=<% item(command) %> both=<% item() %>
`);
    r.start({ hosts: ['r1', 'r2'], commands: ['show ver', 'show bgp sum'] });
    assert.deepEqual(
      r.pending.map((p) => (p as RunTaskCmd).input),
      [
        { device: 'r1', command: 'show ver', both: { host: 'r1', command: 'show ver' } },
        { device: 'r2', command: 'show bgp sum', both: { host: 'r2', command: 'show bgp sum' } },
      ],
    );
  });

  test('an empty list succeeds at once with result []', () => {
    const r = new Rehearsal(items(''));
    r.start({ devices: [] });
    assert.deepEqual(r.completed?.output, { files: [] });
  });

  test('items that are not a list fail the workflow naming the task', () => {
    const r = new Rehearsal(items(''));
    r.start({ devices: 'r1' });
    assert.equal(r.completed?.status, 'failed');
    assert.equal(r.completed?.errors[0]!.task, 'backup');
    assert.match(r.completed!.errors[0]!.message, /not a list/);
  });
});

describe('rehearsal: the real orquesta-mock-create-vm.yaml', () => {
  test('runs the fork/join and publishes the VM id into the output', () => {
    const r = new Rehearsal(fixture('orquesta-mock-create-vm.yaml'), 'orquesta-mock-create-vm.yaml');
    r.start({ vm_name: 'web01', cpu_cores: 2, memory_mb: 2048, ip: '192.0.2.10', meta: { owner: 'noc' } });
    assert.deepEqual(
      r.pending.map((p) => p.taskKey),
      ['register_dns', 'create_vm'],
    );
    r.play({ create_vm: [ok({ result: { vm_id: 'vm-7f3a' } })] });
    const keys = r.runKeys();
    assert.deepEqual(keys, [
      'register_dns',
      'create_vm',
      'notify',
      'notify#2',
      'configure_vm',
      'add_disks',
      'add_nics',
      'install_apps',
      'finalize_config',
      'close_request',
      'notify#3',
    ]);
    assert.ok(r.path().every(([, s]) => s === 'succeeded'));
    const notify = r.commands.filter((c): c is RunTaskCmd => c.kind === 'runTask' && c.taskName === 'notify');
    assert.match(String(notify[0]!.input.cmd), /DNS for web01 is registered/);
    assert.match(String(notify[2]!.input.cmd), /VM request is fulfilled/);
    assert.deepEqual(r.completed, {
      kind: 'complete',
      status: 'succeeded',
      output: { vm_id: 'vm-7f3a', ip: '192.0.2.10', extra: { vm_id: 'vm-7f3a' } },
      errors: [],
    });
  });

  test('a failed create_vm leaves the join unopened and fails the workflow', () => {
    const r = new Rehearsal(fixture('orquesta-mock-create-vm.yaml'));
    r.start({ vm_name: 'web01', cpu_cores: 2, memory_mb: 2048, ip: '192.0.2.10', meta: {} });
    r.play({ create_vm: [bad({}, 'quota exceeded')] });
    assert.ok(!r.runKeys().includes('configure_vm'));
    assert.equal(r.completed?.status, 'failed');
    assert.equal(r.completed?.errors[0]!.task, 'create_vm');
  });
});
