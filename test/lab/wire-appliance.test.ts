import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { CredentialStore } from '../../src/datastore/credentials.js';
import { KeyValueStore } from '../../src/datastore/keyvalue.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { openApplianceStore } from '../../src/store/open-store.js';
import { harness, type Harness } from '../api/harness.js';
import { writeInventory } from './inventory.js';
import type { LabState } from './lab.js';
import type { RouterSsh } from './ssh.js';
import { KNOWN_HOSTS_MARK, wireAppliance, wireLabDevice, type LabDevice } from './wire-appliance.js';

// The files a lab writes (inventory, credentials.json, known_hosts), for routers whose sshd is on `basePort + i`:
// wiring reads only these, so it is tested without root.
function fakeLab(dir: string, basePort: number): LabState {
  const key = path.join(dir, 'client_ed25519');
  writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n');
  const ssh: Record<string, RouterSsh> = {};
  ['leaf1', 'leaf2', 'spine1'].forEach((r, i) => {
    ssh[r] = {
      host: '127.0.0.1',
      port: basePort + i,
      username: `nrxlab-${r}`,
      password: `pw-${r}-${basePort}`,
      privateKeyPath: key,
      hostPublicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${r}${basePort}`,
    };
  });
  return { ...writeInventory(dir, ssh), dir } as unknown as LabState;
}

describe('lab:up --appliance: the lab goes into the appliance (wire-appliance.ts)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-wire-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const env = { HOME: root, PATH: process.env.PATH ?? '' }; // no URL configured: the data directory

  test('into a data directory: made and said so; inventory, encrypted credentials and host keys; other devices and host keys kept; a second up replaces the lab entries', async () => {
    const dataDir = path.join(root, 'data');
    const lab1 = fakeLab(mkdirSyncP(path.join(root, 'lab1')), 40000);
    const first = await wireAppliance(lab1, { dataDir }, env);
    assert.equal(first.via, 'data-dir');
    assert.equal(first.createdDataDir, true);
    assert.deepEqual(first.hosts, ['leaf1', 'leaf2', 'spine1']);
    // the operator's own device and host key, added between two lab ups
    let store = openApplianceStore(dataDir);
    await new InventoryService(store).putHost({ name: 'core1', hostname: '192.0.2.1', platform: 'cisco_ios' });
    await store.close();
    writeFileSync(first.knownHostsFile, `${readFileSync(first.knownHostsFile, 'utf8')}[192.0.2.1]:22 ssh-ed25519 AAAAoperator\n`);

    const lab2 = fakeLab(mkdirSyncP(path.join(root, 'lab2')), 41000);
    const second = await wireAppliance(lab2, { dataDir }, env);
    assert.equal(second.createdDataDir, false);
    store = openApplianceStore(dataDir);
    try {
      const inv = new InventoryService(store);
      const hosts = await inv.listHosts();
      assert.deepEqual(hosts.map((h) => h.name).sort(), ['core1', 'leaf1', 'leaf2', 'spine1']);
      const leaf1 = hosts.find((h) => h.name === 'leaf1')!;
      assert.deepEqual([leaf1.port, leaf1.platform, leaf1.credential, leaf1.data.role, leaf1.data.site], [41000, 'frr', 'lab-leaf1', 'leaf', 'lab']);
      assert.equal((await inv.listHosts('role=leaf')).length, 2);
      const creds = new CredentialStore(new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir)));
      const c = await creds.get('lab-spine1');
      assert.deepEqual([c?.username, c?.password], ['nrxlab-spine1', 'pw-spine1-41000']);
      assert.match(c?.private_key ?? '', /BEGIN OPENSSH PRIVATE KEY/);
    } finally {
      await store.close();
    }
    assert.doesNotMatch(readFileSync(path.join(dataDir, 'netreflex.db')).toString('latin1'), /pw-spine1-41000/, 'only ciphertext on disk');
    const known = readFileSync(second.knownHostsFile, 'utf8').trim().split('\n');
    assert.deepEqual(known, [
      '[192.0.2.1]:22 ssh-ed25519 AAAAoperator',
      `[127.0.0.1]:41000 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIleaf141000 ${KNOWN_HOSTS_MARK}`,
      `[127.0.0.1]:41001 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIleaf241000 ${KNOWN_HOSTS_MARK}`,
      `[127.0.0.1]:41002 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIspine141000 ${KNOWN_HOSTS_MARK}`,
    ]);
  });

  test('--with lagsw: the LAG switch goes in after the routers (data.lags, data.aliases, credential, host key); the next up replaces its host key', async () => {
    const dataDir = path.join(root, 'lagsw-data');
    const lab = fakeLab(mkdirSyncP(path.join(root, 'lab-lagsw')), 44000);
    await wireAppliance(lab, { dataDir }, env);
    const lags = { 'bond-a': { members: ['lagx1-a', 'lagx2-a'], min_links: 1 } };
    const device = (port: number): LabDevice => ({
      host: {
        name: 'labsw1',
        hostname: '127.0.50.1',
        port,
        platform: 'openvswitch',
        credential: 'lab-lagsw',
        data: { role: 'switch', aliases: ['labhost'], lags },
      },
      credential: { username: 'nrxlab-lagsw', password: `sw-${port}`, private_key: 'KEY' },
      knownHostsLine: `[127.0.50.1]:${port} ssh-ed25519 AAAAswitch${port}`,
    });
    const r = await wireLabDevice(device(44100), { dataDir }, env);
    assert.deepEqual([r.via, r.hosts, r.credentials], ['data-dir', ['labsw1'], ['lab-lagsw']]);
    const store = openApplianceStore(dataDir);
    try {
      const inv = new InventoryService(store);
      const sw = await inv.getHost('labsw1');
      assert.deepEqual([sw?.platform, sw?.port, sw?.credential, sw?.data.lags, sw?.data.aliases], ['openvswitch', 44100, 'lab-lagsw', lags, ['labhost']]);
      assert.deepEqual((await inv.listHosts()).map((h) => h.name).sort(), ['labsw1', 'leaf1', 'leaf2', 'spine1'], 'the routers stay');
      const c = await new CredentialStore(new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir))).get('lab-lagsw');
      assert.deepEqual([c?.username, c?.password, c?.private_key], ['nrxlab-lagsw', 'sw-44100', 'KEY']);
    } finally {
      await store.close();
    }
    const switchLines = (): string[] =>
      readFileSync(r.knownHostsFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('[127.0.50.1]'));
    assert.equal(readFileSync(r.knownHostsFile, 'utf8').trim().split('\n').length, 4, 'three routers and the switch');
    assert.deepEqual(switchLines(), [`[127.0.50.1]:44100 ssh-ed25519 AAAAswitch44100 ${KNOWN_HOSTS_MARK}`]);
    // the next lab up: the routers' wiring drops the old switch line, the switch's wiring adds the new one
    await wireAppliance(fakeLab(mkdirSyncP(path.join(root, 'lab-lagsw2')), 45000), { dataDir }, env);
    assert.deepEqual(switchLines(), []);
    await wireLabDevice(device(45100), { dataDir }, env);
    assert.deepEqual(switchLines(), [`[127.0.50.1]:45100 ssh-ed25519 AAAAswitch45100 ${KNOWN_HOSTS_MARK}`]);
  });

  describe('through the API when a URL is configured', () => {
    let h: Harness;
    let url: string;
    before(async () => {
      h = await harness();
      url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => h?.close());

    test('hosts and encrypted credentials go through the API (an admin key); the devices already there stay', async () => {
      const dataDir = path.join(root, 'api-data');
      const lab = fakeLab(mkdirSyncP(path.join(root, 'lab3')), 42000);
      const r = await wireAppliance(lab, { dataDir }, { ...env, NETREFLEX_URL: url, NETREFLEX_API_KEY: h.keys.admin });
      assert.equal(r.via, 'api');
      assert.equal(r.url, url);
      assert.deepEqual((await h.inventory.listHosts()).map((x) => x.name).sort(), ['leaf1', 'leaf2', 'r1', 'r2', 'spine1']);
      assert.equal((await h.inventory.getHost('leaf2'))?.port, 42001);
      const c = await new CredentialStore(h.kv).get('lab-leaf1');
      assert.equal(c?.password, 'pw-leaf1-42000');
      assert.equal(existsSync(path.join(dataDir, 'known_hosts')), true, 'host keys still go to the data directory');
    });

    test('--with lagsw through the API: the switch with its data.lags and its credential', async () => {
      const lags = { 'bond-a': { members: ['lagx1-a'], min_links: 1 } };
      const host = {
        name: 'labsw1',
        hostname: '127.0.50.1',
        port: 42100,
        platform: 'openvswitch',
        credential: 'lab-lagsw',
        data: { aliases: ['labhost'], lags },
      };
      const apiEnv = { ...env, NETREFLEX_URL: url, NETREFLEX_API_KEY: h.keys.admin };
      const r = await wireLabDevice(
        { host, credential: { username: 'nrxlab-lagsw', password: 'sw-api' }, knownHostsLine: '[127.0.50.1]:42100 ssh-ed25519 AAAAsw' },
        { dataDir: path.join(root, 'api-sw') },
        apiEnv,
      );
      assert.equal(r.via, 'api');
      assert.deepEqual((await h.inventory.getHost('labsw1'))?.data, { aliases: ['labhost'], lags });
      assert.equal((await new CredentialStore(h.kv).get('lab-lagsw'))?.password, 'sw-api');
    });

    test('an observer cannot wire the lab: the API refuses, and nothing is half-written', async () => {
      const lab = fakeLab(mkdirSyncP(path.join(root, 'lab4')), 43000);
      await assert.rejects(
        wireAppliance(lab, { dataDir: path.join(root, 'obs-data') }, { ...env, NETREFLEX_URL: url, NETREFLEX_API_KEY: h.keys.observer }),
        (e: Error & { code?: string }) => e.code === 'NRX_ERR_FORBIDDEN',
      );
      assert.equal(existsSync(path.join(root, 'obs-data', 'known_hosts')), false);
    });
  });
});

function mkdirSyncP(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
