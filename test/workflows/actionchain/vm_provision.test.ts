// The seed deck's provisioning chain, with its rollback paths, run as written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { taskPath } from '../../../src/workflows/actionchain/state.js';
import { loadChain, rehearse, type Scripted } from './rehearse.js';

const spec = loadChain('vm_provision.yaml');
const input = { vm_name: 'web01' };
const created: Scripted = { status: 'succeeded', result: { result: { id: 'vm-42' } } };
const failed: Scripted = { status: 'failed', result: { error: 'boom' } };

function names(r: ReturnType<typeof rehearse>): string[] {
  return taskPath(r.state).map((t) => t.name);
}

describe('vm_provision chain', () => {
  test('all nodes succeed: create -> provision -> dns -> lb, succeeded', () => {
    const r = rehearse(spec, input, { create_vm: created });
    assert.deepEqual(names(r), ['create_vm', 'provision_vm', 'register_dns', 'register_lb']);
    assert.equal(r.complete?.status, 'succeeded');
    assert.deepEqual(r.complete?.errors, []);
    assert.deepEqual(r.complete?.output['published'], { vm_id: 'vm-42' });
    assert.deepEqual(
      (r.complete?.output['tasks'] as Array<{ name: string; status: string }>).map((t) => [t.name, t.status]),
      [
        ['create_vm', 'succeeded'],
        ['provision_vm', 'succeeded'],
        ['register_dns', 'succeeded'],
        ['register_lb', 'succeeded'],
      ],
    );
  });

  test('rendered parameters carry the input, vars and published values', () => {
    const r = rehearse(spec, input, { create_vm: created });
    const byNode = Object.fromEntries(r.runs.map((c) => [c.taskName, c]));
    assert.deepEqual(byNode['create_vm']!.input, { name: 'web01' });
    assert.equal(byNode['create_vm']!.action, 'cloud.create_vm');
    assert.deepEqual(byNode['provision_vm']!.input, { vm_id: 'vm-42' });
    assert.deepEqual(byNode['register_dns']!.input, { fqdn: 'web01.example.net', vm_id: 'vm-42' });
    assert.deepEqual(byNode['register_lb']!.input, { fqdn: 'web01.example.net' });
    assert.equal(byNode['register_lb']!.action, 'lb.register');
  });

  test('lb fails: rollback through unregister_dns and clear_vm, chain failed', () => {
    const r = rehearse(spec, input, { create_vm: created, register_lb: failed });
    assert.deepEqual(names(r), ['create_vm', 'provision_vm', 'register_dns', 'register_lb', 'unregister_dns', 'clear_vm', 'notify_failure']);
    assert.equal(r.complete?.status, 'failed');
    assert.deepEqual(
      taskPath(r.state).map((t) => t.status),
      ['succeeded', 'succeeded', 'succeeded', 'failed', 'succeeded', 'succeeded', 'succeeded'],
    );
    assert.equal(r.complete?.errors.length, 1);
    assert.equal(r.complete?.errors[0]!.task, 'register_lb');
    // The rollback nodes still see the published vm id.
    const clear = r.runs.find((c) => c.taskName === 'clear_vm')!;
    assert.deepEqual(clear.input, { vm_id: 'vm-42' });
    assert.deepEqual(r.runs.find((c) => c.taskName === 'unregister_dns')!.input, { fqdn: 'web01.example.net' });
  });

  test('dns fails: clear_vm then notify_failure, chain failed', () => {
    const r = rehearse(spec, input, { create_vm: created, register_dns: failed });
    assert.deepEqual(names(r), ['create_vm', 'provision_vm', 'register_dns', 'clear_vm', 'notify_failure']);
    assert.equal(r.complete?.status, 'failed');
  });

  test('provision fails: clear_vm then notify_failure, chain failed', () => {
    const r = rehearse(spec, input, { create_vm: created, provision_vm: failed });
    assert.deepEqual(names(r), ['create_vm', 'provision_vm', 'clear_vm', 'notify_failure']);
    assert.equal(r.complete?.status, 'failed');
  });

  test('create fails: straight to notify_failure, chain failed', () => {
    const r = rehearse(spec, input, { create_vm: { status: 'failed', result: { error: 'quota exceeded' } } });
    assert.deepEqual(names(r), ['create_vm', 'notify_failure']);
    assert.equal(r.complete?.status, 'failed');
    // StackStorm publishes after a failed run too: there is no id to publish.
    assert.deepEqual(r.complete?.output['published'], { vm_id: null });
  });

  test('a failing rollback step still reaches notify_failure', () => {
    const r = rehearse(spec, input, { create_vm: created, register_lb: failed, unregister_dns: failed, clear_vm: { status: 'timeout' } });
    assert.deepEqual(names(r), ['create_vm', 'provision_vm', 'register_dns', 'register_lb', 'unregister_dns', 'clear_vm', 'notify_failure']);
    assert.equal(r.complete?.status, 'failed');
    assert.deepEqual(
      r.complete?.errors.map((e) => [e.task, e.code]),
      [
        ['register_lb', 'NRX_ERR_WORKFLOW'],
        ['unregister_dns', 'NRX_ERR_WORKFLOW'],
        ['clear_vm', 'NRX_ERR_TIMEOUT'],
      ],
    );
  });

  test('the last node failing with no on-failure ends the chain failed', () => {
    const r = rehearse(spec, input, { create_vm: created, register_lb: failed, unregister_dns: { status: 'succeeded' }, notify_failure: failed });
    assert.equal(names(r).at(-1), 'notify_failure');
    assert.equal(r.complete?.status, 'failed');
  });
});
