import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ROUTE_ACCESS } from '../../src/api/permissions.js';
import { harness, type Harness } from './harness.js';

describe('API: login, grants, audit, secrets', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => h.close());

  test('log in, use the bearer token, log out; a wrong password is 401', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { user: 'operator', password: 'nope-nope' } });
    assert.deepEqual([bad.statusCode, bad.json().code], [401, 'NRX_ERR_UNAUTHORIZED']);
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { user: 'operator', password: 'operator-password' } });
    assert.equal(login.statusCode, 200);
    const headers = { authorization: `Bearer ${login.json().token}` };
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers })).json().role, 'operator');
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).json().ok, true);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers })).statusCode, 401);
    const junk = await h.app.inject({ method: 'GET', url: '/api/v1/rules', headers: { 'x-api-key': 'nrxk_made_up' } });
    assert.deepEqual([junk.statusCode, junk.json().code], [401, 'NRX_ERR_UNAUTHORIZED']);
  });

  test('an observer gets 403 running an action, and nothing is recorded', async () => {
    const before = (await h.appliance.store.listExecutions({ action: 'core.noop' })).length;
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/executions', headers: h.as('observer'), payload: { action: 'core.noop' } });
    assert.deepEqual([r.statusCode, r.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    assert.equal((await h.appliance.store.listExecutions({ action: 'core.noop' })).length, before);
  });

  test('an operator of site dc1 cannot act on dc2 devices, by name or by fan-out filter', async () => {
    const key = await h.grantedKey('dc1ops', 'operator', { inventory: 'site=dc1' });
    const run = (parameters: object) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/executions',
        headers: { 'x-api-key': key },
        payload: { action: 'demo.bgp_watch', parameters: { peer: 'p', wait: '1s', ...parameters } },
      });
    const ok = await run({ device: 'r1' });
    assert.equal(ok.statusCode, 201, ok.body);
    await h.appliance.engine.cancel(ok.json().id).catch(() => {});
    const denied = await run({ device: 'r2' });
    assert.deepEqual([denied.statusCode, denied.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    assert.match(denied.json().message, /r2/);
    assert.equal((await run({ device: 'r1', devices: ['r1', 'r2'] })).statusCode, 403);
    assert.equal((await run({ device: 'r1', on: 'role=leaf' })).statusCode, 403, 'role=leaf selects r2 too');
    assert.equal((await run({ device: 'not-in-inventory' })).statusCode, 403, 'unknown devices are outside every grant');
    const hosts = await h.app.inject({ method: 'GET', url: '/api/v1/inventory/hosts', headers: { 'x-api-key': key } });
    assert.deepEqual(
      hosts.json().items.map((x: { name: string }) => x.name),
      ['r1'],
    );
  });

  test('a pack grant limits actions and rules to those packs', async () => {
    const key = await h.grantedKey('coreonly', 'operator', { packs: ['core'] });
    const headers = { 'x-api-key': key };
    const actions = (await h.app.inject({ method: 'GET', url: '/api/v1/actions', headers })).json().items;
    assert.ok(actions.length > 0 && actions.every((a: { pack: string }) => a.pack === 'core'));
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/executions', headers, payload: { action: 'demo.sleep', parameters: { seconds: 0 } } })).statusCode,
      403,
    );
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/executions', headers, payload: { action: 'core.noop' } })).statusCode, 201);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/rules/demo.bgp_down', headers })).statusCode, 403);
  });

  test('an operator cannot mint an admin key, and a key it makes keeps its grants', async () => {
    const key = await h.grantedKey('narrow', 'operator', { inventory: 'site=dc1' });
    const up = await h.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: { 'x-api-key': key }, payload: { role: 'admin' } });
    assert.deepEqual([up.statusCode, up.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    const made = await h.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: { 'x-api-key': key }, payload: { grants: { packs: ['core'] } } });
    assert.equal(made.statusCode, 201);
    assert.deepEqual(made.json().grants, { packs: ['core'], inventory: 'site=dc1' });
  });

  test('secrets: masked for readers, decrypt for admins only, ciphertext on disk, never in the audit log', async () => {
    const secret = 'hunter2-enable-secret';
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/keys/system/tacacs_key', headers: h.as('admin'), payload: { value: secret, encrypt: true } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().value, '********');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/keys/system/tacacs_key', headers: h.as('operator') })).json().value, '********');
    const tryDecrypt = await h.app.inject({ method: 'GET', url: '/api/v1/keys/system/tacacs_key?decrypt=true', headers: h.as('operator') });
    assert.deepEqual([tryDecrypt.statusCode, tryDecrypt.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/keys/system/tacacs_key?decrypt=true', headers: h.as('admin') })).json().value, secret);
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: h.as('admin'),
      payload: { name: 'newbie', password: 'newbie-password-9', role: 'observer' },
    });
    const audit = await h.app.inject({ method: 'GET', url: '/api/v1/audit?limit=1000', headers: h.as('admin') });
    const text = audit.body;
    assert.ok(!text.includes(secret) && !text.includes('newbie-password-9') && !text.includes('operator-password'), 'no secret in audit rows');
    const db = readdirSync(h.dataDir)
      .filter((f) => f.startsWith('netreflex.db'))
      .map((f) => readFileSync(path.join(h.dataDir, f)).toString('latin1'))
      .join('');
    assert.ok(!db.includes(secret), 'the secret is ciphertext in the SQLite file');
  });

  test('every write is audited: who, role, method, route, target, status, source address', async () => {
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: h.as('operator'),
      payload: { type: 'core.event', payload: { kind: 'audited' } },
      remoteAddress: '192.0.2.77',
    });
    await h.app.inject({ method: 'POST', url: '/api/v1/rules/demo.bgp_down/disable', headers: h.as('operator') });
    await h.app.inject({ method: 'GET', url: '/api/v1/rules', headers: h.as('operator') });
    const rows = (await h.app.inject({ method: 'GET', url: '/api/v1/audit?user=operator&limit=5', headers: h.as('admin') })).json().items;
    const [denied, emitted] = rows;
    assert.deepEqual(
      [denied.method, denied.route, denied.target, denied.status, denied.role],
      ['POST', '/api/v1/rules/:ref/disable', 'demo.bgp_down', 403, 'operator'],
    );
    assert.deepEqual([emitted.route, emitted.status, emitted.sourceIp, emitted.detail.type], ['/api/v1/events', 202, '192.0.2.77', 'core.event']);
    assert.ok(
      rows.every((r: { method: string }) => r.method !== 'GET'),
      'reads are not audited',
    );
    const login = (await h.app.inject({ method: 'GET', url: '/api/v1/audit?limit=1000', headers: h.as('admin') }))
      .json()
      .items.find((r: { route: string }) => r.route === '/api/v1/auth/login');
    assert.equal(login.detail.password, '********');
  });

  test('the OpenAPI document is public and lists every route with its responses', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const route of Object.keys(ROUTE_ACCESS)) {
      const [method, url] = route.split(' ') as [string, string];
      if (url === '/openapi.json') continue;
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      assert.ok(op, `${route} is in /openapi.json`);
      assert.ok(op.summary && Object.keys(op.responses).some((c) => c.startsWith('2')), `${route} documents a summary and a success response`);
    }
    const ui = await h.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  test('hostile bodies never crash a route: every answer is a catalogue error or success', async () => {
    const writes = Object.keys(ROUTE_ACCESS)
      .filter((r) => r.startsWith('POST ') || r.startsWith('PUT '))
      .filter((r) => !r.includes('/packs/install') && !r.includes('/inventory/sync') && !r.includes('/import/netbox'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.jsonValue({ maxDepth: 3 }), async (route, body) => {
        const [method, url] = route.split(' ') as ['POST' | 'PUT', string];
        const r = await h.app.inject({
          method,
          url: url.replace(/:(\w+)/g, 'x'),
          headers: { ...h.as('admin'), 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        assert.ok(r.statusCode < 500, `${route} ${JSON.stringify(body)} -> ${r.statusCode} ${r.body}`);
        if (r.statusCode >= 400) assert.match(r.json().code, /^NRX_ERR_[A-Z_]+$/);
      }),
      { numRuns: 150 },
    );
    const notJson = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...h.as('admin'), 'content-type': 'application/json' },
      payload: '{"type": "core.ev',
    });
    assert.deepEqual([notJson.statusCode, notJson.json().code], [400, 'NRX_ERR_VALIDATION']);
  });
});
