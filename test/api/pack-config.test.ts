import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, liveAppliance, type LiveAppliance } from '../cli/cli-harness.js';
import { harness, type Harness } from './harness.js';

describe('pack config over the API', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());
  const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: h.as('admin'), ...(payload ? { payload } : {}) });

  test('a secret goes in encrypted and never comes out: not in the answer, the config view, the datastore listing or the audit', async () => {
    const put = await call('PUT', '/api/v1/configs/ticket/api_key', { value: 'redmine-key-0123456789' });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), {
      key: 'api_key',
      value: '********',
      secret: true,
      required: false,
      type: 'string',
      source: 'datastore',
      description: 'Redmine API key (My account -> API access key); sent as X-Redmine-API-Key.',
    });
    const view = await call('GET', '/api/v1/configs/ticket');
    assert.equal(view.statusCode, 200);
    const v = view.json() as { options: Array<{ key: string; value: unknown; source: string | null }>; missing: string[] };
    assert.deepEqual(
      v.options.find((o) => o.key === 'api_key'),
      { ...put.json(), source: 'datastore' },
    );
    assert.deepEqual(v.missing, ['url'], 'url is required and has neither a value nor a default');
    const keys = await h.app.inject({ method: 'GET', url: '/api/v1/keys?scope=pack:ticket', headers: h.as('admin') });
    const audit = await h.app.inject({ method: 'GET', url: '/api/v1/audit', headers: h.as('admin') });
    for (const body of [put.body, view.body, keys.body, audit.body]) assert.doesNotMatch(body, /redmine-key-0123456789/);
    assert.match(audit.body, /ticket\/api_key/);
  });

  test('values are checked against the schema; an unknown pack is 404; unset falls back to the default', async () => {
    const bad = await call('PUT', '/api/v1/configs/ticket/timeout', { value: 'soon' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'NRX_ERR_PACK_CONFIG_INVALID');
    assert.match(bad.json().message, /pack ticket: config value 'timeout' must be of type integer/);
    assert.equal((await call('GET', '/api/v1/configs/nosuchpack')).statusCode, 404);
    assert.equal((await call('PUT', '/api/v1/configs/ticket/timeout', { value: 5 })).statusCode, 200);
    const timeout = () =>
      call('GET', '/api/v1/configs/ticket').then(
        (r) => (r.json() as { options: Array<{ key: string; value: unknown }> }).options.find((o) => o.key === 'timeout')?.value,
      );
    assert.equal(await timeout(), 5);
    assert.equal((await call('DELETE', '/api/v1/configs/ticket/timeout')).statusCode, 200);
    assert.equal(await timeout(), 30);
    assert.equal((await call('DELETE', '/api/v1/configs/ticket/timeout')).statusCode, 404);
  });
});

describe('netreflex pack config', () => {
  let live: LiveAppliance;
  const home = mkdtempSync(path.join(tmpdir(), 'nrx-packcfg-cli-'));
  before(async () => {
    live = await liveAppliance();
    const r = await cli(['login', '--url', live.url, '--user', 'admin'], { XDG_CONFIG_HOME: home, NETREFLEX_PASSWORD: live.adminPassword });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => live?.close());
  const run = (args: string[], input?: string) => cli(['pack', 'config', 'ticket', ...args], { XDG_CONFIG_HOME: home, NO_COLOR: '1' }, input);

  test('KEY=VALUE sets typed values, a bare KEY reads a secret from stdin, no arguments shows the config with secrets masked', async () => {
    const set = await run(['system=jira', 'url=https://jira.example.net', 'jira_api_version=3']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /pack ticket: jira_api_version set/);
    const secret = await run(['password'], 'jira-token-abc123\n');
    assert.equal(secret.code, 0, secret.stderr);
    assert.equal(secret.stdout, 'pack ticket: password set (encrypted)\n');
    const shown = await run(['--json']);
    const view = JSON.parse(shown.stdout) as { options: Array<{ key: string; value: unknown; source: string }> };
    const pick = (k: string) => view.options.find((o) => o.key === k);
    assert.deepEqual([pick('jira_api_version')?.value, pick('password')?.value, pick('system')?.value], [3, '********', 'jira']);
    const table = await run([]);
    assert.match(table.stdout, /password\s+\*{8}\s+datastore/);
    assert.doesNotMatch(table.stdout + shown.stdout, /jira-token-abc123/);
    const wrong = await run(['jira_api_version=4']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /NRX_ERR_PACK_CONFIG_INVALID|must be one of 2, 3/);
  });
});
