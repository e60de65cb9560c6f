import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiClient, clientConfigPath, resolveClientConfig, writeClientConfig, type SseMessage } from '../../src/cli/api-client.js';
import { NrxError } from '../../src/core/errors.js';
import { harness, type Harness } from '../api/harness.js';

/** fetch over app.inject(): the client is tested against the real routes without a socket. */
function injectFetch(h: Harness): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const u = new URL(String(input));
    const r = await h.app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      headers: init.headers as Record<string, string>,
      ...(init.body ? { payload: String(init.body) } : {}),
    });
    return new Response(r.body, { status: r.statusCode, headers: { 'content-type': String(r.headers['content-type'] ?? '') } });
  }) as typeof fetch;
}

describe('api-client', () => {
  let h: Harness;
  const dirs: string[] = [];
  before(async () => (h = await harness()));
  after(async () => {
    await h.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('URL and credential: flags, then environment, then the config file, then the default', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'nrx-home-'));
    dirs.push(home);
    const env = { XDG_CONFIG_HOME: home };
    const file = clientConfigPath(env);
    assert.equal(file, path.join(home, 'netreflex', 'config.json'));
    assert.deepEqual(resolveClientConfig({}, env), { url: 'http://127.0.0.1:8080' });
    writeClientConfig({ url: 'http://nrx.example:9000/', token: 'tok-file' }, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(resolveClientConfig({}, env), { url: 'http://nrx.example:9000', token: 'tok-file' });
    assert.deepEqual(resolveClientConfig({}, { ...env, NETREFLEX_URL: 'http://env:1', NETREFLEX_API_KEY: 'key-env' }), {
      url: 'http://env:1',
      apiKey: 'key-env',
    });
    assert.deepEqual(resolveClientConfig({ url: 'http://flag:2', token: 'tok-flag' }, { ...env, NETREFLEX_API_KEY: 'key-env' }), {
      url: 'http://flag:2',
      token: 'tok-flag',
    });
    writeFileSync(file, '{not json');
    assert.throws(
      () => resolveClientConfig({}, env),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && e.message.includes(file),
    );
  });

  test('runs an action and tails it to the end through the API', async () => {
    const client = new ApiClient({ url: 'http://appliance', apiKey: h.keys.operator }, { fetch: injectFetch(h) });
    const rec = await client.runAction('core.echo', { message: 'hello from the cli' });
    const seen: SseMessage[] = [];
    await client.tailExecution(rec.id, (m) => void seen.push(m));
    assert.deepEqual(
      seen.filter((m) => m.event === 'log').map((m) => m.data),
      [{ line: 'hello from the cli' }],
    );
    assert.equal(seen.at(-1)!.event, 'end');
    const got = await client.getExecution(rec.id);
    assert.equal(got.status, 'succeeded');
    assert.ok((await client.listExecutions({ action: 'core.echo' })).items.some((x) => x.id === rec.id));
  });

  test('API errors come back as NrxError with the server code; no API is NRX_ERR_API_UNREACHABLE', async () => {
    const observer = new ApiClient({ url: 'http://appliance', apiKey: h.keys.observer }, { fetch: injectFetch(h) });
    await assert.rejects(observer.runAction('core.noop'), (e) => e instanceof NrxError && e.code === 'NRX_ERR_FORBIDDEN' && e.details.httpStatus === 403);
    await assert.rejects(observer.getExecution('nope'), (e) => e instanceof NrxError && e.code === 'NRX_ERR_EXECUTION_NOT_FOUND');
    const anonymous = new ApiClient({ url: 'http://appliance' }, { fetch: injectFetch(h) });
    await assert.rejects(anonymous.listRules(), (e) => e instanceof NrxError && e.code === 'NRX_ERR_UNAUTHORIZED');
    const nowhere = new ApiClient({ url: 'http://127.0.0.1:9' });
    await assert.rejects(nowhere.health(), (e) => e instanceof NrxError && e.code === 'NRX_ERR_API_UNREACHABLE' && /127\.0\.0\.1:9/.test(e.message));
  });

  test('login gives a token the client can use', async () => {
    const anon = new ApiClient({ url: 'http://appliance' }, { fetch: injectFetch(h) });
    const { token } = await anon.login('observer', 'observer-password');
    const client = new ApiClient({ url: 'http://appliance', token }, { fetch: injectFetch(h) });
    assert.equal((await client.whoami()).user, 'observer');
    assert.deepEqual((await client.previewFilter('site=dc2')).names, ['r2']);
  });
});
