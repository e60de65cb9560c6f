import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { cli } from '../../cli/cli-harness.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../../drivers/replay-server.js';

const FIXTURES = path.resolve('test/packs/fixtures');
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

interface Collected {
  location: string;
  size: number;
  sha256: string;
  bundle: { name: string; path: string };
  upload: { method: string; location: string } | null;
  devices: { ok: string[]; failed: Array<{ device: string; code: string }> };
  index: Array<{ device: string; command: string; time: string; file: string; sha256: string; failed: boolean }>;
  pruned: string[];
}

/** Unpack with the system's tar: the archive must be one any operator can open. */
function untar(file: string): string {
  const out = mkdtempSync(path.join(tmpdir(), 'nrx-untar-'));
  execFileSync('tar', ['-xzf', file, '-C', out]);
  return out;
}

describe('files pack: collect_logs against replayed devices, kept and uploaded over HTTP PUT', () => {
  let root: string;
  let dataDir: string;
  let a: Appliance;
  let sw: ReplayServer[] = [];
  let http: Server;
  let httpUrl = '';
  const puts: Array<{ url: string; auth: string | undefined; body: Buffer; checksum: string | undefined }> = [];
  let answer = 201;
  let filesConfig = '';

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-files-'));
    dataDir = path.join(root, 'data');
    sw = await Promise.all(
      ['sw1', 'sw2'].map((name) =>
        startReplayServer(
          ciscoLikeDevice(name, { 'show version': `${name} IOS 15.2`, 'show ip bgp summary': `BGP router identifier 10.0.0.${name.slice(2)}, local AS 65001` }),
        ),
      ),
    );
    const inventory = path.join(root, 'inventory');
    mkdirSync(inventory);
    writeFileSync(
      path.join(inventory, 'hosts.yaml'),
      sw.map((s, i) => `sw${i + 1}:\n  hostname: 127.0.0.1\n  port: ${s.port}\n  platform: ios\n  credential: sw-admin\n  data: { role: access }\n`).join(''),
    );
    const knownHostsFile = path.join(dataDir, 'known_hosts'); // where `netreflex run` looks too
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(knownHostsFile, sw.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}\n`).join(''));
    http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        puts.push({
          url: `${req.method} ${req.url}`,
          auth: req.headers.authorization,
          body: Buffer.concat(chunks),
          checksum: req.headers['x-checksum-sha256'] as string,
        });
        res.writeHead(answer).end(answer >= 400 ? 'quota exceeded' : '');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/logs/netreflex`;
    mkdirSync(path.join(dataDir, 'configs'), { recursive: true });
    filesConfig = `upload: http\nhttp:\n  url: ${httpUrl}\n  username: uploader\n  password: up-pass-1\nretention:\n  days: 7\n  max_bundles: 3\n`;
    writeFileSync(path.join(dataDir, 'configs', 'files.yaml'), filesConfig);
    a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [FIXTURES] }, {}), log: silentLogger, knownHostsFile });
    assert.deepEqual((await a.inventory.loadYaml(inventory)).errors, []);
    await a.credentials.set('sw-admin', { username: 'admin', password: 'secret-1' });
    await a.start();
  });
  after(async () => {
    await a?.stop();
    await Promise.all(sw.map((s) => s.close()));
    http?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('outputs of two devices in one bundle with a checksummed index; an unknown device is reported, not fatal; the PUT carries the same bytes', async () => {
    puts.length = 0;
    const rec = await a.engine.run('files.collect_logs', {
      devices: ['sw1', 'sw2', 'ghost'],
      commands: ['show version', 'show ip bgp summary', 'show bogus'],
      label: 'bgp/sw1/10.0.1.1',
    });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const r = rec.result as Collected;
    assert.match(r.bundle.name, /^\d{8}T\d{6}Z-bgp-sw1-10\.0\.1\.1\.tar\.gz$/);
    assert.equal(r.bundle.path, path.join(dataDir, 'bundles', r.bundle.name));
    const archive = readFileSync(r.bundle.path);
    assert.equal(r.size, archive.length);
    assert.equal(r.sha256, sha256(archive));
    assert.equal((statSync(r.bundle.path).mode & 0o777).toString(8), '600', 'logs are readable by the appliance user only');
    assert.deepEqual(r.devices.ok, ['sw1', 'sw2']);
    assert.deepEqual(
      r.devices.failed.map((f) => [f.device, f.code]),
      [['ghost', 'NRX_ERR_DEVICE_NOT_FOUND']],
    );

    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.url, `PUT /logs/netreflex/${r.bundle.name}`);
    assert.equal(puts[0]!.auth, `Basic ${Buffer.from('uploader:up-pass-1').toString('base64')}`);
    assert.equal(sha256(puts[0]!.body), r.sha256, 'the server got the bundle as kept');
    assert.equal(puts[0]!.checksum, r.sha256);
    assert.deepEqual(r.upload, { method: 'http', location: `${httpUrl}/${r.bundle.name}` });
    assert.equal(r.location, r.upload?.location);
    assert.ok(!JSON.stringify(rec).includes('up-pass-1'), 'the upload password is in no result or log');

    const dir = untar(r.bundle.path);
    try {
      const base = r.bundle.name.replace(/\.tar\.gz$/, '');
      const index = JSON.parse(readFileSync(path.join(dir, base, 'index.json'), 'utf8')) as { entries: Collected['index']; errors: unknown[]; label: string };
      assert.equal(index.label, 'bgp/sw1/10.0.1.1');
      assert.deepEqual(index.entries, r.index);
      assert.deepEqual(
        index.entries.map((e) => [e.device, e.command, e.failed]),
        [
          ['sw1', 'show version', false],
          ['sw1', 'show ip bgp summary', false],
          ['sw1', 'show bogus', true],
          ['sw2', 'show version', false],
          ['sw2', 'show ip bgp summary', false],
          ['sw2', 'show bogus', true],
        ],
      );
      for (const e of index.entries) {
        const text = readFileSync(path.join(dir, e.file));
        assert.equal(sha256(text), e.sha256, `${e.file} matches its checksum`);
        assert.ok(Math.abs(Date.parse(e.time) - Date.now()) < 60_000, 'a real time');
      }
      assert.equal(readFileSync(path.join(dir, base, 'sw2', '02-show-ip-bgp-summary.txt'), 'utf8'), 'BGP router identifier 10.0.0.2, local AS 65001\n');
      assert.match(readFileSync(path.join(dir, base, 'sw1', '03-show-bogus.txt'), 'utf8'), /% Invalid input/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('devices by inventory filter, from an Orquesta workflow that reports where the bundle went', async () => {
    const rec = await a.engine.run('fabric.collect_and_report', { devices: ['sw2'], label: 'lag/sw2' });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const out = (rec.result as { output: { location: string; sha256: string; size: number } }).output;
    assert.match(out.location, new RegExp(`^${httpUrl}/\\d{8}T\\d{6}Z-lag-sw2\\.tar\\.gz$`));
    assert.equal(out.sha256, sha256(puts.at(-1)!.body));
    assert.equal(Number(out.size), puts.at(-1)!.body.length);

    const byFilter = await a.engine.run('files.collect_logs', { on: 'role=access', commands: ['show version'], upload: 'none' });
    assert.equal(byFilter.status, 'succeeded', JSON.stringify(byFilter.error));
    const r = byFilter.result as Collected;
    assert.deepEqual(r.devices.ok, ['sw1', 'sw2']);
    assert.equal(r.upload, null);
    assert.equal(r.location, r.bundle.path, 'not uploaded: the location is the kept file');
  });

  test('retention keeps the newest max_bundles and nothing older than days; the device session is the pooled one', async () => {
    const dir = path.join(dataDir, 'bundles');
    const old = path.join(dir, '20200101T000000Z-old.tar.gz');
    writeFileSync(old, 'x');
    utimesSync(old, new Date('2020-01-01'), new Date('2020-01-01'));
    const logins = sw[0]!.sessions;
    for (let i = 0; i < 3; i++) {
      const rec = await a.engine.run('files.collect_logs', { devices: ['sw1'], commands: ['show version'], upload: 'none', label: `run-${i}` });
      assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    }
    assert.equal(sw[0]!.sessions, logins, "three collections on sw1 reuse the appliance's pooled session: no new login");
    const left = readdirSync(dir).sort();
    assert.equal(left.length, 3, left.join(' '));
    assert.ok(!existsSync(old), 'older than 7 days: removed');
    assert.ok(
      left.every((n) => /run-\d/.test(n)),
      'the three newest are the ones kept',
    );
  });

  test('a refused upload fails the action with NRX_ERR_UPLOAD naming the server answer; the bundle is still kept', async () => {
    answer = 507;
    try {
      const rec = await a.engine.run('files.collect_logs', { devices: ['sw1'], commands: ['show version'], label: 'refused' });
      assert.equal(rec.status, 'failed');
      assert.equal(rec.error?.code, 'NRX_ERR_UPLOAD');
      assert.match(
        rec.error?.message ?? '',
        /PUT http:\/\/127\.0\.0\.1:\d+\/logs\/netreflex\/\d{8}T\d{6}Z-refused\.tar\.gz: the server answered 507.*quota exceeded/,
      );
      assert.ok(readdirSync(path.join(dataDir, 'bundles')).some((n) => n.endsWith('-refused.tar.gz')));
    } finally {
      answer = 201;
    }
  });

  test('bad input names the field: no devices, no commands, an unknown upload method, SFTP without a host', async () => {
    const fails = async (params: Record<string, unknown>) => {
      const rec = await a.engine.run('files.collect_logs', params).catch((e: unknown) => ({ status: 'failed', error: e as { code: string; message: string } }));
      assert.equal(rec.status, 'failed');
      return `${rec.error?.code}: ${rec.error?.message}`;
    };
    assert.match(await fails({ commands: ['show version'] }), /NRX_ERR_PARAM_INVALID: .*'devices'.*'on'/);
    assert.match(await fails({ devices: ['sw1'], commands: [] }), /NRX_ERR_PARAM_INVALID: .*'commands'/);
    assert.match(await fails({ devices: ['sw1'], commands: ['show version'], upload: 'ftp' }), /NRX_ERR_PARAM_INVALID: .*'upload'/);
    assert.match(
      await fails({ devices: ['sw1'], commands: ['show version'], upload: 'sftp' }),
      /NRX_ERR_PACK_CONFIG_MISSING: .*pack files: config value 'sftp\.host' is required/,
    );
    writeFileSync(path.join(dataDir, 'configs', 'files.yaml'), 'sftp: {host: 192.0.2.1, username: up}\n');
    try {
      assert.match(
        await fails({ devices: ['sw1'], commands: ['show version'], upload: 'sftp' }),
        /NRX_ERR_PACK_CONFIG_MISSING: .*'sftp\.password' or 'sftp\.private_key' is required.*netreflex pack config files sftp\.password/,
      );
    } finally {
      writeFileSync(path.join(dataDir, 'configs', 'files.yaml'), filesConfig);
    }
    assert.match(await fails({ devices: ['ghost'], commands: ['show version'] }), /NRX_ERR_DEVICE_NOT_FOUND: no output collected: ghost/);
  });

  test('netreflex run collect_logs on the data directory prints where the bundle went, its size and checksum', async () => {
    const r = await cli(['run', 'files.collect_logs', 'devices=["sw1"]', 'commands=["show version"]', 'upload=none', '--data-dir', dataDir, '--json'], {
      XDG_CONFIG_HOME: path.join(root, 'xdg'),
      HOME: root,
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const res = (JSON.parse(r.stdout) as { result: Collected }).result;
    assert.equal(res.sha256, sha256(readFileSync(res.location)));
    assert.equal(res.size, statSync(res.location).size);
  });
});
