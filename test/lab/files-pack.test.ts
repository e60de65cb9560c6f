/**
 * The files pack for real: show-command outputs from the lab's FRR routers over SSH, bundled and
 * uploaded to OpenSSH's internal-sftp (chrooted user, host key checked against known_hosts) with
 * a password and with a key, from an action and from a workflow.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { labGuard } from './guard.js';
import { credentialName } from './inventory.js';
import { labUp, type Lab } from './lab.js';
import { startSftpServer, type SftpServer } from './sftp-server.js';

const skip = labGuard();
const FIXTURES = path.resolve('test/packs/fixtures');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Collected {
  location: string;
  size: number;
  sha256: string;
  bundle: { name: string };
  devices: { ok: string[] };
  index: Array<{ device: string; command: string; file: string; sha256: string }>;
}

describe('files pack: FRR show outputs bundled and uploaded to a real SFTP server', { skip, timeout: 400_000 }, () => {
  let lab: Lab;
  let sftp: SftpServer;
  let dir: string;
  let dataDir: string;
  let a: Appliance;
  const config = (auth: string): void =>
    writeFileSync(
      path.join(dataDir, 'configs', 'files.yaml'),
      `upload: sftp\nsftp:\n  host: ${sftp.address}\n  username: ${sftp.username}\n  directory: upload\n${auth}`,
    );

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nrx-lab-files-'));
    dataDir = path.join(dir, 'data');
    mkdirSync(path.join(dataDir, 'configs'), { recursive: true });
    [lab, sftp] = await Promise.all([labUp(), startSftpServer(dir)]);
    // one known_hosts for the routers and the log server, as an operator keeps it
    writeFileSync(path.join(dataDir, 'known_hosts'), `${readFileSync(lab.knownHostsPath, 'utf8')}${sftp.address} ${sftp.hostPublicKey}\n`);
    a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [FIXTURES] }, {}), log: silentLogger, knownHostsFile: path.join(dataDir, 'known_hosts') });
    assert.deepEqual((await a.inventory.loadYaml(lab.inventoryDir)).errors, []);
    for (const r of lab.routers) await a.credentials.set(credentialName(r.name), { username: r.ssh.username, password: r.ssh.password });
    await a.start();
    await lab.waitEstablished('leaf1', undefined, 60_000);
  });
  after(async () => {
    await a?.stop();
    await Promise.all([lab?.down(), sftp?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('leaf1 and leaf2 over SSH, uploaded with a password: the server holds the bundle byte for byte and its index matches the routers', async () => {
    config(`  password: ${sftp.password}\n`);
    const rec = await a.engine.run('files.collect_logs', {
      on: 'role=leaf',
      commands: ['show ip bgp summary', 'show running-config'],
      label: 'bgp/leaf1/10.0.1.1',
    });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const r = rec.result as Collected;
    assert.deepEqual(r.devices.ok, ['leaf1', 'leaf2']);
    assert.equal(r.location, `sftp://${sftp.username}@${sftp.address}:22/upload/${r.bundle.name}`);
    const uploaded = readFileSync(path.join(sftp.uploadDir, r.bundle.name));
    assert.equal(sha256(uploaded), r.sha256);
    assert.equal(uploaded.length, r.size);
    assert.ok(!JSON.stringify(rec).includes(sftp.password), 'the SFTP password is in no result or log');

    const out = mkdtempSync(path.join(dir, 'untar-'));
    execFileSync('tar', ['-xzf', path.join(sftp.uploadDir, r.bundle.name), '-C', out]);
    for (const e of r.index) assert.equal(sha256(readFileSync(path.join(out, e.file))), e.sha256, e.file);
    const summary = r.index.find((e) => e.device === 'leaf1' && e.command === 'show ip bgp summary')!;
    assert.match(readFileSync(path.join(out, summary.file), 'utf8'), /BGP router identifier/);
    const running = r.index.find((e) => e.device === 'leaf2' && e.command === 'show running-config')!;
    assert.match(readFileSync(path.join(out, running.file), 'utf8'), /router bgp 65002/);
  });

  test('from a workflow, uploaded with a key', async () => {
    config(`  private_key: |\n${readFileSync(sftp.privateKeyPath, 'utf8').replace(/^/gm, '    ')}`);
    const rec = await a.engine.run('fabric.collect_and_report', { devices: ['leaf1'], label: 'leaf1-key' });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const out = (rec.result as { output: { location: string; sha256: string } }).output;
    const name = out.location.split('/').at(-1)!;
    assert.match(name, /-leaf1-key\.tar\.gz$/);
    assert.equal(sha256(readFileSync(path.join(sftp.uploadDir, name))), out.sha256);
  });

  test('a log server whose host key is not the one in known_hosts is refused before any login; the wrong password is NRX_ERR_AUTH', async () => {
    const good = readFileSync(path.join(dataDir, 'known_hosts'), 'utf8');
    try {
      const other = lab.routers[0]!.ssh.hostPublicKey; // a real key, just not this server's
      writeFileSync(path.join(dataDir, 'known_hosts'), good.replace(`${sftp.address} ${sftp.hostPublicKey}`, `${sftp.address} ${other}`));
      config(`  password: ${sftp.password}\n`);
      const changed = await a.engine.run('files.collect_logs', { devices: ['leaf1'], commands: ['show version'] });
      assert.equal(changed.status, 'failed');
      assert.match(`${changed.error?.code} ${changed.error?.message}`, /NRX_ERR_HOSTKEY\w* .*sftp server/);
    } finally {
      writeFileSync(path.join(dataDir, 'known_hosts'), good);
    }
    config('  password: not-the-password\n');
    const wrong = await a.engine.run('files.collect_logs', { devices: ['leaf1'], commands: ['show version'] });
    assert.deepEqual([wrong.status, wrong.error?.code], ['failed', 'NRX_ERR_AUTH']);
  });
});
