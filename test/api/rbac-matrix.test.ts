import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { installPack } from '../../src/api/pack-install.js';
import { accessFor, ROUTE_ACCESS } from '../../src/api/permissions.js';
import { roleAllows, type Role } from '../../src/auth/roles.js';
import { makeEvent } from '../../src/events/envelope.js';
import { WebhookDefinitions } from '../../src/sensors/webhook/definitions.js';
import { FIXTURE_PACKS, harness, type Harness } from './harness.js';

/**
 * The full role x route matrix, generated from the access table: every route is called as
 * anonymous, observer, operator and admin. Denied callers get 401 (no credential) or 403
 * (role too small); allowed callers get a 2xx on a request built to succeed.
 */

type Caller = Role | 'anonymous';
const CALLERS: Caller[] = ['anonymous', 'observer', 'operator', 'admin'];

interface Sample {
  method: InjectOptions['method'];
  url: string;
  payload?: unknown;
  /** Extra request headers (a webhook's own token). */
  headers?: Record<string, string>;
  /** Runs after the request was sent (to end an open stream). */
  after?: () => Promise<void>;
}

let n = 0;
const uniq = (p: string): string => `${p}${++n}`;

const until = async (cond: () => Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** How to make a request to each route that should succeed for an allowed caller. */
function samples(h: Harness, who: Caller, packsDir: string): Record<string, () => Promise<Sample>> {
  const user = who === 'anonymous' ? 'observer' : who;
  const engine = h.appliance.engine;
  const runningWorkflow = async (): Promise<string> => {
    const rec = await engine.request('demo.bgp_watch', { device: 'r1', peer: uniq('p'), wait: '60s' });
    await until(async () => (await h.appliance.store.listTasks(rec.id)).length > 0);
    return rec.id;
  };
  const apiRule = async (): Promise<string> => {
    const name = uniq('matrix_rule_');
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: h.as('admin'),
      payload: { rule: { name, pack: 'demo', trigger: { type: 'core.event' }, action: { ref: 'core.noop' } } },
    });
    assert.equal(r.statusCode, 201, r.body);
    return `demo.${name}`;
  };
  const S = (method: Sample['method'], url: string, payload?: unknown) => async (): Promise<Sample> => ({
    method,
    url,
    ...(payload !== undefined ? { payload } : {}),
  });
  return {
    'GET /api/v1/health': S('GET', '/api/v1/health'),
    'GET /openapi.json': S('GET', '/openapi.json'),
    'POST /api/v1/auth/login': S('POST', '/api/v1/auth/login', { user: 'observer', password: 'observer-password' }),
    'POST /api/v1/auth/logout': S('POST', '/api/v1/auth/logout'),
    'GET /api/v1/auth/whoami': S('GET', '/api/v1/auth/whoami'),
    'GET /api/v1/auth/keys': S('GET', '/api/v1/auth/keys'),
    'POST /api/v1/auth/keys': S('POST', '/api/v1/auth/keys', { description: 'matrix' }),
    'DELETE /api/v1/auth/keys/:id': async () => ({
      method: 'DELETE',
      url: `/api/v1/auth/keys/${(await h.auth.createApiKey({ user, role: user, grants: {} })).id}`,
    }),
    'GET /api/v1/users': S('GET', '/api/v1/users'),
    'POST /api/v1/users': async () => ({ method: 'POST', url: '/api/v1/users', payload: { name: uniq('user'), password: 'long-enough', role: 'observer' } }),
    'DELETE /api/v1/users/:name': async () => {
      const name = uniq('gone');
      await h.auth.createUser({ name, password: 'long-enough', role: 'observer' });
      return { method: 'DELETE', url: `/api/v1/users/${name}` };
    },
    // each caller its own password, set to what it was (the harness authenticates by API key)
    'PUT /api/v1/users/:name/password': S('PUT', `/api/v1/users/${user}/password`, { password: `${user}-password`, currentPassword: `${user}-password` }),
    'GET /api/v1/audit': S('GET', '/api/v1/audit'),
    'GET /api/v1/events': S('GET', '/api/v1/events'),
    'POST /api/v1/events': S('POST', '/api/v1/events', { type: 'core.event', payload: { kind: 'matrix' } }),
    'GET /api/v1/events/:id': async () => {
      const ev = makeEvent('core.event', { kind: 'matrix' });
      await h.appliance.emit(ev);
      return { method: 'GET', url: `/api/v1/events/${ev.id}` };
    },
    'GET /api/v1/triggertypes': S('GET', '/api/v1/triggertypes'),
    'GET /api/v1/rules': S('GET', '/api/v1/rules'),
    'GET /api/v1/rules/:ref': S('GET', '/api/v1/rules/demo.bgp_down'),
    'POST /api/v1/rules': async () => ({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { rule: `name: ${uniq('posted_')}\npack: demo\ntrigger: {type: core.event}\naction: {ref: core.noop}\n` },
    }),
    'PUT /api/v1/rules/:ref': async () => {
      const name = uniq('put_');
      return {
        method: 'PUT',
        url: `/api/v1/rules/demo.${name}`,
        payload: { rule: { name, pack: 'demo', trigger: { type: 'core.event' }, action: { ref: 'core.noop' } } },
      };
    },
    'DELETE /api/v1/rules/:ref': async () => ({ method: 'DELETE', url: `/api/v1/rules/${await apiRule()}` }),
    'POST /api/v1/rules/:ref/enable': async () => ({ method: 'POST', url: `/api/v1/rules/${await apiRule()}/enable` }),
    'POST /api/v1/rules/:ref/disable': async () => ({ method: 'POST', url: `/api/v1/rules/${await apiRule()}/disable` }),
    'POST /api/v1/rules/test': S('POST', '/api/v1/rules/test', { rule: 'demo.bgp_down', event: { device: 'r1', peer: 'p', state: 'idle' } }),
    'GET /api/v1/actions': S('GET', '/api/v1/actions'),
    'GET /api/v1/actions/:ref': S('GET', '/api/v1/actions/core.echo'),
    'POST /api/v1/executions': S('POST', '/api/v1/executions', { action: 'core.noop', parameters: {} }),
    'GET /api/v1/executions': S('GET', '/api/v1/executions'),
    'GET /api/v1/executions/:id': async () => ({ method: 'GET', url: `/api/v1/executions/${(await engine.run('core.noop', {})).id}` }),
    'POST /api/v1/executions/:id/cancel': async () => ({
      method: 'POST',
      url: `/api/v1/executions/${(await engine.request('demo.sleep', { seconds: 5 })).id}/cancel`,
    }),
    'POST /api/v1/executions/:id/pause': async () => ({ method: 'POST', url: `/api/v1/executions/${await runningWorkflow()}/pause` }),
    'POST /api/v1/executions/:id/resume': async () => {
      const id = await runningWorkflow();
      await engine.pause(id);
      return { method: 'POST', url: `/api/v1/executions/${id}/resume` };
    },
    'POST /api/v1/executions/:id/rerun': async () => ({ method: 'POST', url: `/api/v1/executions/${(await engine.run('core.noop', {})).id}/rerun` }),
    'GET /api/v1/executions/:id/output': async () => ({ method: 'GET', url: `/api/v1/executions/${(await engine.run('core.noop', {})).id}/output` }),
    'GET /api/v1/inquiries': S('GET', '/api/v1/inquiries'),
    'POST /api/v1/inquiries/:id/respond': async () => ({
      method: 'POST',
      url: `/api/v1/inquiries/${(await engine.request('core.ask', {})).id}/respond`,
      payload: { response: { continue: true } },
    }),
    'GET /api/v1/inventory/hosts': S('GET', '/api/v1/inventory/hosts?filter=site%3Ddc1'),
    'POST /api/v1/inventory/hosts': async () => ({ method: 'POST', url: '/api/v1/inventory/hosts', payload: { name: uniq('h'), hostname: '192.0.2.1' } }),
    'GET /api/v1/inventory/hosts/:name': S('GET', '/api/v1/inventory/hosts/r1'),
    'PUT /api/v1/inventory/hosts/:name': async () => ({
      method: 'PUT',
      url: `/api/v1/inventory/hosts/${uniq('h')}`,
      payload: { hostname: '192.0.2.2', platform: 'frr' },
    }),
    'DELETE /api/v1/inventory/hosts/:name': async () => {
      const name = uniq('h');
      await h.inventory.putHost({ name });
      return { method: 'DELETE', url: `/api/v1/inventory/hosts/${name}` };
    },
    'GET /api/v1/inventory/groups': S('GET', '/api/v1/inventory/groups'),
    'POST /api/v1/inventory/groups': async () => ({ method: 'POST', url: '/api/v1/inventory/groups', payload: { name: uniq('g'), platform: 'frr' } }),
    'GET /api/v1/inventory/groups/:name': async () => {
      const name = uniq('g');
      await h.inventory.putGroup({ name });
      return { method: 'GET', url: `/api/v1/inventory/groups/${name}` };
    },
    'PUT /api/v1/inventory/groups/:name': async () => ({ method: 'PUT', url: `/api/v1/inventory/groups/${uniq('g')}`, payload: { data: { site: 'dc9' } } }),
    'DELETE /api/v1/inventory/groups/:name': async () => {
      const name = uniq('g');
      await h.inventory.putGroup({ name });
      return { method: 'DELETE', url: `/api/v1/inventory/groups/${name}` };
    },
    'GET /api/v1/inventory/filter': S('GET', '/api/v1/inventory/filter?q=role%3Dleaf'),
    'POST /api/v1/inventory/import/netbox': S('POST', '/api/v1/inventory/import/netbox', { json: { results: [] } }),
    'POST /api/v1/inventory/sync': async () => ({
      method: 'POST',
      url: '/api/v1/inventory/sync',
      payload: { dir: mkdtempSync(path.join(tmpdir(), 'nrx-inv-')), direction: 'export' },
    }),
    // r1 names no credential: its device fails at once, and the answer (200, per-device results) is what is checked
    'POST /api/v1/inventory/exec': S('POST', '/api/v1/inventory/exec', { what: 'show version', on: 'r1' }),
    'GET /api/v1/keys': S('GET', '/api/v1/keys?scope=system'),
    'GET /api/v1/keys/:scope/:key': async () => {
      await h.kv.set('system', 'site_name', 'dc1');
      return { method: 'GET', url: '/api/v1/keys/system/site_name' };
    },
    'PUT /api/v1/keys/:scope/:key': async () => ({ method: 'PUT', url: `/api/v1/keys/system/${uniq('k')}`, payload: { value: 'v', encrypt: true } }),
    'DELETE /api/v1/keys/:scope/:key': async () => {
      const key = uniq('k');
      await h.kv.set('system', key, 'v');
      return { method: 'DELETE', url: `/api/v1/keys/system/${key}` };
    },
    'GET /api/v1/workflows/:ref': S('GET', '/api/v1/workflows/demo.bgp_watch'),
    'POST /api/v1/workflows/validate': S('POST', '/api/v1/workflows/validate', { yaml: 'version: 1.0\ntasks:\n  a:\n    action: core.noop\n' }),
    'PUT /api/v1/workflows/:ref': async () => ({
      method: 'PUT',
      url: `/api/v1/workflows/matrixflows.${uniq('wf')}`,
      payload: { yaml: 'version: 1.0\ntasks:\n  a:\n    action: core.noop\n' },
    }),
    'GET /api/v1/packs': S('GET', '/api/v1/packs'),
    // force: the fixture pack dns is loaded already, and installing its ref again would shadow it
    'POST /api/v1/packs/install': S('POST', '/api/v1/packs/install', { source: path.join(FIXTURE_PACKS, 'dns'), force: true }),
    'DELETE /api/v1/packs/:ref': async () => {
      await installPack(path.join(FIXTURE_PACKS, 'lb'), packsDir);
      return { method: 'DELETE', url: '/api/v1/packs/lb' };
    },
    'GET /api/v1/configs/:pack': S('GET', '/api/v1/configs/ticket'),
    'PUT /api/v1/configs/:pack/:key': S('PUT', '/api/v1/configs/ticket/project', { value: 'netauto' }),
    'DELETE /api/v1/configs/:pack/:key': async () => {
      await h.app.inject({ method: 'PUT', url: '/api/v1/configs/ticket/jira_issue_type', headers: h.as('admin'), payload: { value: 'Incident' } });
      return { method: 'DELETE', url: '/api/v1/configs/ticket/jira_issue_type' };
    },
    'GET /api/v1/webhooks': S('GET', '/api/v1/webhooks'),
    'POST /api/v1/webhooks': async () => ({ method: 'POST', url: '/api/v1/webhooks', payload: { name: uniq('wh'), kind: 'generic', auth: 'token' } }),
    'DELETE /api/v1/webhooks/:name': async () => {
      const name = uniq('wh');
      await new WebhookDefinitions(h.kv).create({ name, kind: 'generic', auth: 'token' });
      return { method: 'DELETE', url: `/api/v1/webhooks/${name}` };
    },
    // anonymous to the API: the webhook's own token is what lets every caller in
    'POST /api/v1/webhooks/:name': async () => {
      const name = uniq('wh');
      const { secret } = await new WebhookDefinitions(h.kv).create({ name, kind: 'generic', auth: 'token' });
      return { method: 'POST', url: `/api/v1/webhooks/${name}`, payload: { matrix: true }, headers: { 'x-netreflex-token': secret } };
    },
    'GET /api/v1/actionalias': S('GET', '/api/v1/actionalias'),
    'POST /api/v1/actionalias/match': S('POST', '/api/v1/actionalias/match', { command: 'bgp table r1' }),
    'POST /api/v1/aliasexecution': S('POST', '/api/v1/aliasexecution', { command: 'bgp table r1' }),
    'GET /api/v1/stream': async () => ({
      method: 'GET',
      url: '/api/v1/stream?kinds=event&max=1',
      after: () => h.appliance.emit(makeEvent('core.event', { kind: 'stream' })),
    }),
    'GET /metrics': S('GET', '/metrics'),
    'GET /api/v1/cluster': S('GET', '/api/v1/cluster'),
  };
}

describe('RBAC: every route x every role', () => {
  let h: Harness;
  let packsDir: string;
  before(async () => {
    packsDir = mkdtempSync(path.join(tmpdir(), 'nrx-packs-'));
    h = await harness({ packsDir });
  });
  after(async () => h.close());

  test('the sample table covers exactly the access table', () => {
    const routes = Object.keys(samples(h, 'admin', packsDir)).sort();
    assert.deepEqual(routes, Object.keys(ROUTE_ACCESS).sort());
  });

  test('docs are public; an unlisted route never is', () => {
    assert.equal(accessFor('GET', '/docs/static/index.html'), 'anonymous');
    assert.equal(accessFor('GET', '/api/v1/secret-backdoor'), undefined);
  });

  for (const route of Object.keys(ROUTE_ACCESS)) {
    test(route, async () => {
      const access = ROUTE_ACCESS[route]!;
      for (const who of CALLERS) {
        const sample = await samples(h, who, packsDir)[route]!();
        const pending = h.app.inject({
          method: sample.method,
          url: sample.url,
          headers: { ...h.as(who), ...sample.headers },
          ...(sample.payload !== undefined ? { payload: sample.payload as object } : {}),
        });
        if (sample.after) {
          await new Promise((r) => setTimeout(r, 50));
          await sample.after();
        }
        const res = await pending;
        const allowed = access === 'anonymous' || (who !== 'anonymous' && (access === 'authenticated' || roleAllows(who, access)));
        const what = `${route} as ${who}: ${res.statusCode} ${res.body.slice(0, 300)}`;
        if (allowed) assert.ok(res.statusCode >= 200 && res.statusCode < 300, what);
        else {
          assert.equal(res.statusCode, who === 'anonymous' ? 401 : 403, what);
          assert.equal(res.json().code, who === 'anonymous' ? 'NRX_ERR_UNAUTHORIZED' : 'NRX_ERR_FORBIDDEN', what);
        }
      }
    });
  }
});
