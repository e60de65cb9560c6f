/**
 * remote-shell-cmd and remote-shell-script against real OpenSSH servers: two Linux hosts in
 * their own network namespaces, reached by inventory name with credentials from the encrypted
 * store (one password, one key) and host keys from the appliance's known_hosts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import type { HostResult } from '../../src/executions/runners/remote-shell.js';
import { labGuard } from './guard.js';
import { startLinuxHost, type LinuxHost } from './linux-host.js';

const skip = labGuard();
const OPS_PACK = path.resolve('test/lab/fixtures/linux_ops');

describe('remote-shell runners against real sshd hosts', { skip }, () => {
  let dir: string;
  let hosts: LinuxHost[] = [];
  let a: Appliance;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nrx-lab-remote-'));
    hosts = await Promise.all([startLinuxHost(dir), startLinuxHost(dir)]);
    const dataDir = path.join(dir, 'data');
    a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [OPS_PACK] }, {}), log: silentLogger, inboxPollMs: 50 });
    // the appliance checks host keys against <data dir>/known_hosts, strictly
    writeFileSync(path.join(dataDir, 'known_hosts'), hosts.map((h) => `${h.address} ${h.hostPublicKey}`).join('\n') + '\n');
    await a.credentials.set('lab-linux1', { username: hosts[0]!.username, password: hosts[0]!.password });
    await a.credentials.set('lab-linux2', { username: hosts[1]!.username, private_key: readFileSync(hosts[1]!.privateKeyPath, 'utf8') });
    await a.inventory.putHost({ name: 'linux1', hostname: hosts[0]!.address, credential: 'lab-linux1' });
    await a.inventory.putHost({ name: 'linux2', hostname: hosts[1]!.address, credential: 'lab-linux2' });
    await a.start();
  });
  after(async () => {
    await a?.stop();
    await Promise.all(hosts.map((h) => h.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('core.remote on both hosts by inventory name: password and key logins, per-host results', async () => {
    const rec = await a.engine.run('core.remote', {
      hosts: 'linux1,linux2',
      cmd: 'echo "$(id -un)@$(ip -4 -o addr show dev eth0 | cut -d" " -f7)"; echo warn >&2',
    });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.result));
    const res = rec.result as Record<string, HostResult>;
    assert.deepEqual(Object.keys(res), ['linux1', 'linux2']);
    for (const [i, name] of ['linux1', 'linux2'].entries()) {
      assert.deepEqual(res[name], { stdout: `${hosts[i]!.username}@${hosts[i]!.address}/30`, stderr: 'warn', return_code: 0, succeeded: true, failed: false });
    }
  });

  test('a failing command on one host fails the execution and keeps both results', async () => {
    const rec = await a.engine.run('core.remote', { hosts: ['linux1', 'linux2'], cmd: `[ "$(id -un)" = ${hosts[0]!.username} ] && exit 7; echo fine` });
    assert.equal(rec.status, 'failed');
    const res = rec.result as Record<string, HostResult>;
    assert.equal(res.linux1!.return_code, 7);
    assert.equal(res.linux2!.stdout, 'fine');
  });

  test('a host key that does not match known_hosts is refused for that host only', async () => {
    const kh = path.join(dir, 'data', 'known_hosts');
    const saved = readFileSync(kh, 'utf8');
    // linux2's address now claims linux1's key: what a man in the middle looks like
    writeFileSync(kh, `${hosts[0]!.address} ${hosts[0]!.hostPublicKey}\n${hosts[1]!.address} ${hosts[0]!.hostPublicKey}\n`);
    try {
      const rec = await a.engine.run('core.remote', { hosts: 'linux1,linux2', cmd: 'echo reached' });
      assert.equal(rec.status, 'failed');
      const res = rec.result as Record<string, HostResult>;
      assert.equal(res.linux1!.stdout, 'reached');
      assert.equal(res.linux2!.error_code, 'NRX_ERR_HOSTKEY_MISMATCH');
      assert.equal(rec.error?.code, 'NRX_ERR_HOSTKEY_MISMATCH');
    } finally {
      writeFileSync(kh, saved);
    }
  });

  test('remote-shell-script: the script runs under bash on the host with quoted arguments, and is removed', async () => {
    const rec = await a.engine.run('linux_ops.facts', { hosts: 'linux2', interface: 'eth0; reboot', vlan: 120 });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.result));
    const lines = (rec.result as Record<string, HostResult>).linux2!.stdout.split('\n');
    assert.match(lines[0]!, /^dir=\/tmp\/netreflex-[A-Za-z0-9]{8}$/);
    assert.match(lines[1]!, /^shell=\d+\.\d+/);
    assert.deepEqual(lines.slice(2), [`user=${hosts[1]!.username}`, `netns_addr=${hosts[1]!.address}/30`, 'arg=eth0; reboot', 'arg=--vlan=120']);
    const left = await a.engine.run('core.remote', { hosts: 'linux2', cmd: `test -e ${lines[0]!.slice(4)}; echo $?` });
    assert.equal((left.result as Record<string, HostResult>).linux2!.stdout, '1', 'the copied script is gone');
  });

  test('the timeout stops a command on the host, children included', async () => {
    const started = Date.now();
    // a child of the shell, not the shell itself: the whole process group must go
    const rec = await a.engine.run('core.remote', { hosts: 'linux1', cmd: 'sleep 31; echo never', timeout: 1 });
    assert.equal(rec.status, 'timeout');
    assert.equal((rec.result as Record<string, HostResult>).linux1!.return_code, -9);
    assert.ok(Date.now() - started < 8000);
    const left = await a.engine.run('core.remote', { hosts: 'linux1', cmd: 'pgrep -u "$(id -un)" -f "sleep 3[1]" | wc -l' });
    assert.equal((left.result as Record<string, HostResult>).linux1!.stdout, '0', 'nothing the command started is left running');
  });
});
