import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/config.js';
import { NrxError } from '../../src/core/errors.js';
import { resolveParameters } from '../../src/executions/params.js';
import { LocalShellRunner } from '../../src/executions/runners/local-shell-cmd.js';
import { loadPacks } from '../../src/packs/pack-loader.js';
import { testContext } from '../executions/runners/helpers.js';

const content = loadPacks([path.join(REPO_ROOT, 'packs', 'core')]);
const get = (ref: string) => {
  const a = content.actions.get(ref);
  assert.ok(a, `${ref} is loaded`);
  return a;
};

describe('the shipped core pack', () => {
  test('loads without errors, with StackStorm refs', () => {
    assert.deepEqual(
      content.errors.map((e) => e.message),
      [],
    );
    assert.deepEqual([...content.actions.keys()].sort(), ['core.ask', 'core.echo', 'core.http', 'core.local', 'core.noop', 'core.pause', 'core.remote']);
    assert.equal(get('core.ask').runnerType, 'inquiry');
    assert.equal(get('core.http').runnerType, 'http-request');
  });

  test('accepts what StackStorm users pass', () => {
    assert.equal(resolveParameters(get('core.local'), { cmd: 'uptime', timeout: '30', cwd: '/tmp', env: { A: '1' } }).timeout, 30);
    assert.throws(() => resolveParameters(get('core.local'), {}), NrxError);
    const http = resolveParameters(get('core.http'), { url: 'http://127.0.0.1/x', method: 'POST', body: 'x', headers: { a: 'b' }, verify_ssl_cert: 'false' });
    assert.equal(http.verify_ssl_cert, false);
    assert.equal(http.timeout, 60);
    assert.deepEqual(resolveParameters(get('core.noop'), {}), {});
    const ask = resolveParameters(get('core.ask'), { route: 'noc', users: ['alice'] });
    assert.equal(ask.ttl, 1440);
    assert.equal((ask.schema as { type: string }).type, 'object');
    const pause = resolveParameters(get('core.pause'), { max_pause: '2' });
    assert.equal(pause.max_pause, 2);
    assert.equal(pause.timeout, 32);
    assert.throws(() => resolveParameters(get('core.echo'), { message: 'x', cmd: 'id' }), /immutable/);
    const remote = resolveParameters(get('core.remote'), { hosts: 'web1,web2', cmd: 'uptime', timeout: '5' });
    assert.deepEqual([remote.hosts, remote.timeout, remote.parallel, remote.sudo], ['web1,web2', 5, true, false]);
    assert.throws(() => resolveParameters(get('core.remote'), { cmd: 'uptime' }), /hosts/);
    assert.throws(() => resolveParameters(get('core.remote'), { hosts: 'web1', cmd: 'id', sudo: true }), /immutable/);
  });

  test('core.echo prints the message through the environment, inert', async () => {
    const echo = get('core.echo');
    const message = `$(id) \`id\` "quoted" 'single' {{ 7 * 7 }}`;
    const params = resolveParameters(echo, { message });
    const r = await new LocalShellRunner().run(echo, params, testContext(echo));
    assert.equal(r.status, 'succeeded');
    assert.equal((r.result as { stdout: string }).stdout, message);
  });

  test('core.pause sleeps for max_pause seconds', async () => {
    const pause = get('core.pause');
    const started = Date.now();
    const r = await new LocalShellRunner().run(pause, resolveParameters(pause, { max_pause: 1 }), testContext(pause));
    assert.equal(r.status, 'succeeded');
    assert.ok(Date.now() - started >= 900);
    const rnd = await new LocalShellRunner().run(pause, resolveParameters(pause, { max_pause: 0, random: true }), testContext(pause));
    assert.equal(rnd.status, 'succeeded');
  });
});
