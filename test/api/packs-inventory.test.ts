import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_PACKS, harness, type Harness } from './harness.js';

describe('API: packs and inventory', () => {
  let h: Harness;
  let packsDir: string;
  let reloads = 0;
  const scratch: string[] = [];
  before(async () => {
    packsDir = mkdtempSync(path.join(tmpdir(), 'nrx-packs-'));
    scratch.push(packsDir);
    h = await harness({ packsDir, reloadContent: async () => void reloads++ });
  });
  after(async () => {
    await h.close();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });
  const admin = (method: 'POST' | 'PUT' | 'DELETE' | 'GET', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: h.as('admin'), ...(payload ? { payload } : {}) });
  /** A fixture pack under a new ref: the fixture itself is loaded, and installing its ref again would shadow it. */
  const copyAs = (pack: string, ref: string, into = mkdtempSync(path.join(tmpdir(), 'nrx-srcpack-'))): string => {
    scratch.push(into);
    cpSync(path.join(FIXTURE_PACKS, pack), into, { recursive: true });
    writeFileSync(path.join(into, 'pack.yaml'), readFileSync(path.join(into, 'pack.yaml'), 'utf8').replace(/^ref: .*$/m, `ref: ${ref}`));
    return into;
  };

  test('install from a local folder, then remove; shipped packs are not ours to remove', async () => {
    const r = await admin('POST', '/api/v1/packs/install', { source: copyAs('dns', 'dns_extra') });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual([r.json().ref, r.json().actions, r.json().reloaded], ['dns_extra', 2, true]);
    assert.ok(existsSync(path.join(packsDir, 'dns_extra', 'actions', 'register.yaml')));
    assert.equal(reloads, 1);
    assert.equal((await admin('DELETE', '/api/v1/packs/dns_extra')).statusCode, 200);
    assert.ok(!existsSync(path.join(packsDir, 'dns_extra')));
    assert.equal((await admin('DELETE', '/api/v1/packs/core')).json().code, 'NRX_ERR_CONFLICT');
    assert.equal((await admin('DELETE', '/api/v1/packs/nosuch')).json().code, 'NRX_ERR_NOT_FOUND');
  });

  test('a pack that does not load is refused with its errors and leaves nothing behind', async () => {
    const src = mkdtempSync(path.join(tmpdir(), 'nrx-badpack-'));
    scratch.push(src);
    cpSync(path.join(FIXTURE_PACKS, 'lb'), src, { recursive: true });
    writeFileSync(path.join(src, 'actions', 'broken.yaml'), 'name: broken\nrunner_type: [not, a, string]\n');
    const r = await admin('POST', '/api/v1/packs/install', { source: src });
    assert.deepEqual([r.statusCode, r.json().code], [400, 'NRX_ERR_PACK_INSTALL']);
    assert.match(JSON.stringify(r.json().details.errors), /broken\.yaml/);
    assert.ok(!existsSync(path.join(packsDir, 'lb')));
    const forced = await admin('POST', '/api/v1/packs/install', { source: src, force: true });
    assert.equal(forced.statusCode, 201);
    assert.equal((await admin('POST', '/api/v1/packs/install', { source: '/nonexistent/pack' })).json().code, 'NRX_ERR_PACK_INSTALL');
  });

  test('install from a git URL (git clone --depth 1)', async () => {
    const repo = copyAs('cloud', 'cloud_extra', mkdtempSync(path.join(tmpdir(), 'nrx-gitpack-')));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.net', '-C', repo, ...args], { stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'pack');
    const r = await admin('POST', '/api/v1/packs/install', { source: `file://${repo}` });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().ref, 'cloud_extra');
    assert.ok(existsSync(path.join(packsDir, 'cloud_extra', 'pack.yaml')));
    assert.ok(!existsSync(path.join(packsDir, 'cloud_extra', '.git')));
    const bad = await admin('POST', '/api/v1/packs/install', { source: 'file:///nonexistent/repo.git' });
    assert.deepEqual([bad.statusCode, bad.json().code], [400, 'NRX_ERR_PACK_INSTALL']);
  });

  test('hosts and groups: add, read resolved, change, refuse passwords, preview filters, delete', async () => {
    assert.equal((await admin('POST', '/api/v1/inventory/groups', { name: 'spines', platform: 'cisco_nxos', data: { role: 'spine' } })).statusCode, 201);
    const add = await admin('POST', '/api/v1/inventory/hosts', { name: 's1', hostname: '10.1.0.1', groups: ['spines'], data: { site: 'dc1' } });
    assert.equal(add.statusCode, 201, add.body);
    assert.deepEqual([add.json().platform, add.json().data.role], ['cisco_nxos', 'spine']);
    assert.equal((await admin('POST', '/api/v1/inventory/hosts', { name: 's1' })).json().code, 'NRX_ERR_CONFLICT');
    const pw = await admin('PUT', '/api/v1/inventory/hosts/s1', { hostname: '10.1.0.1', password: 'cisco123' });
    assert.equal(pw.statusCode, 400);
    assert.ok(!JSON.stringify(pw.json()).includes('cisco123'));
    const preview = (await admin('GET', '/api/v1/inventory/filter?q=role%3Dspine%20or%20name%3Dr1')).json();
    assert.deepEqual(preview.names.sort(), ['r1', 's1']);
    const invalid = await admin('GET', '/api/v1/inventory/filter?q=role%3D%3D%3D(');
    assert.deepEqual([invalid.statusCode, invalid.json().code], [400, 'NRX_ERR_FILTER_INVALID']);
    assert.equal((await admin('DELETE', '/api/v1/inventory/groups/spines')).statusCode, 400, 'still used by s1');
    assert.equal((await admin('DELETE', '/api/v1/inventory/hosts/s1')).statusCode, 200);
    assert.equal((await admin('DELETE', '/api/v1/inventory/groups/spines')).statusCode, 200);
    assert.equal((await admin('GET', '/api/v1/inventory/hosts/s1')).statusCode, 404);
  });

  test('GitOps sync: export to YAML and import it back; a broken file changes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-inv-'));
    scratch.push(dir);
    assert.equal((await admin('POST', '/api/v1/inventory/sync', { dir, direction: 'export' })).statusCode, 200);
    assert.match(readFileSync(path.join(dir, 'hosts.yaml'), 'utf8'), /r2/);
    const back = await admin('POST', '/api/v1/inventory/sync', { dir });
    assert.equal(back.json().hosts, 2);
    const broken = path.join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'hosts.yaml'), 'r9:\n  port: not-a-number\n');
    const r = await admin('POST', '/api/v1/inventory/sync', { dir: broken });
    assert.deepEqual([r.statusCode, r.json().code], [400, 'NRX_ERR_INVENTORY_INVALID']);
    assert.equal((await admin('GET', '/api/v1/inventory/hosts')).json().items.length, 2);
  });

  test('NetBox import from its JSON', async () => {
    const json = {
      results: [{ id: 7, name: 'nb-leaf1', primary_ip: { address: '10.9.0.1/32' }, site: { slug: 'dc3' }, role: { slug: 'leaf' }, platform: { slug: 'frr' } }],
    };
    const r = await admin('POST', '/api/v1/inventory/import/netbox', { json });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().hosts, 1);
    const host = (await admin('GET', '/api/v1/inventory/hosts/nb-leaf1')).json();
    assert.equal(host.hostname, '10.9.0.1');
  });
});
