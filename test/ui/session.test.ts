import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { serveUi } from '../../src/api/ui-static.js';
import { harness, type Harness } from '../api/harness.js';

/**
 * The web UI's session cookie at the API level (runs without a browser): what a login with the
 * UI header returns and sets, when the cookie stands in for a bearer token, and logout.
 */
describe('web UI session cookie', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());

  const login = (headers: Record<string, string>) =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { user: 'operator', password: 'operator-password' } });
  const sessionCookie = async (): Promise<string> => {
    const r = await login({ 'x-netreflex-ui': '1' });
    assert.equal(r.statusCode, 200, r.body);
    const set = String(r.headers['set-cookie']);
    return /nrx_session=([^;]+)/.exec(set)![1]!;
  };

  test('a login with the UI header puts the token in an HttpOnly, Secure, SameSite=Strict cookie and not in the body', async () => {
    const r = await login({ 'x-netreflex-ui': '1' });
    assert.equal(r.statusCode, 200);
    const set = String(r.headers['set-cookie']);
    assert.match(set, /^nrx_session=nrxt_[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    assert.doesNotMatch(r.body, /nrxt_/);
    assert.equal(r.json().role, 'operator');
  });

  test('a login without it is unchanged: the token in the body, no cookie', async () => {
    const r = await login({});
    assert.match(r.json().token, /^nrxt_/);
    assert.equal(r.headers['set-cookie'], undefined);
  });

  test('the cookie authenticates reads, and writes only with the UI header (a cross-site form cannot add it)', async () => {
    const token = await sessionCookie();
    const cookie = { cookie: `nrx_session=${token}` };
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers: cookie })).json().user, 'operator');
    const event = { type: 'core.event', payload: { kind: 'session-test' } };
    const forged = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: cookie, payload: event });
    assert.deepEqual([forged.statusCode, forged.json().code], [401, 'NRX_ERR_UNAUTHORIZED']);
    const ui = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...cookie, 'x-netreflex-ui': '1' }, payload: event });
    assert.equal(ui.statusCode, 202, ui.body);
  });

  test('an explicit credential wins over the cookie; roles still apply to cookie sessions', async () => {
    const token = await sessionCookie();
    const asObserver = await h.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers: { cookie: `nrx_session=${token}`, ...h.as('observer') } });
    assert.equal(asObserver.json().user, 'observer');
    const obs = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-netreflex-ui': '1' },
      payload: { user: 'observer', password: 'observer-password' },
    });
    const obsCookie = /nrx_session=([^;]+)/.exec(String(obs.headers['set-cookie']))![1]!;
    const run = await h.app.inject({
      method: 'POST',
      url: '/api/v1/executions',
      headers: { cookie: `nrx_session=${obsCookie}`, 'x-netreflex-ui': '1' },
      payload: { action: 'core.noop' },
    });
    assert.deepEqual([run.statusCode, run.json().code], [403, 'NRX_ERR_FORBIDDEN']);
  });

  test('logout revokes the token and clears the cookie; a forged cookie is refused', async () => {
    const token = await sessionCookie();
    const headers = { cookie: `nrx_session=${token}`, 'x-netreflex-ui': '1' };
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    assert.equal(out.json().ok, true);
    assert.match(
      String(out.headers['set-cookie']),
      /^nrx_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict$/,
    );
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers })).statusCode, 401);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers: { cookie: 'nrx_session=nrxt_forged' } })).statusCode, 401);
  });

  test('the UI page is public and strict; without a build it says how to make one', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/' });
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'; script-src 'self'/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    const empty = Fastify();
    await serveUi(empty, mkdtempSync(path.join(tmpdir(), 'nrx-ui-none-')));
    const none = await empty.inject({ method: 'GET', url: '/' });
    assert.equal(none.statusCode, 503);
    assert.match(none.body, /npm run build:ui/);
    const built = mkdtempSync(path.join(tmpdir(), 'nrx-ui-built-'));
    mkdirSync(path.join(built, 'assets'));
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(path.join(built, 'assets', 'app.js'), 'export {};');
    const withBuild = Fastify();
    await serveUi(withBuild, built);
    assert.equal((await withBuild.inject({ method: 'GET', url: '/' })).body, '<!doctype html><title>ui</title>');
    const js = await withBuild.inject({ method: 'GET', url: '/assets/app.js' });
    assert.deepEqual([js.statusCode, js.headers['x-content-type-options']], [200, 'nosniff']);
    assert.equal((await withBuild.inject({ method: 'GET', url: '/assets/../index.html' })).statusCode, 404);
  });
});
