import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import type { RemoteHostResolver, RemoteLogin } from '../../../drivers/access/targets.js';
import { parseHosts, RemoteShellRunner, splitHostPort, type HostResult } from '../../../src/executions/runners/remote-shell.js';
import { startExecServer, type ExecServer } from './exec-ssh-server.js';
import { testAction, testContext } from './helpers.js';

const LOGIN = { username: 'ops', password: 'pw-remote' };

describe('remote-shell runners (SSH exec against a local SSH server)', () => {
  let dir: string;
  let a: ExecServer;
  let b: ExecServer;
  let stranger: ExecServer;
  let resolver: RemoteHostResolver;
  let cmdRunner: RemoteShellRunner;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nrx-remote-'));
    [a, b, stranger] = await Promise.all([startExecServer(LOGIN), startExecServer(LOGIN), startExecServer(LOGIN)]);
    const knownHosts = path.join(dir, 'known_hosts');
    // stranger's key is not recorded: strict host-key checking must refuse it.
    writeFileSync(knownHosts, [a, b].map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}`).join('\n') + '\n');
    const inventory: Record<string, RemoteLogin> = {
      srv1: { host: '127.0.0.1', port: a.port, ...LOGIN },
      srv2: { host: '127.0.0.1', port: b.port, ...LOGIN },
      wrongpw: { host: '127.0.0.1', port: a.port, username: 'ops', password: 'nope' },
      unknownkey: { host: '127.0.0.1', port: stranger.port, ...LOGIN },
    };
    resolver = {
      inventoryHost: async (name) => inventory[name] ?? null,
      credential: async (name) => {
        if (name === 'lab-ops') return LOGIN;
        throw new NrxError('NRX_ERR_AUTH', `credential '${name}' is not in the secret store`);
      },
      knownHostsFile: knownHosts,
      hostKeyPolicy: 'strict',
    };
    cmdRunner = new RemoteShellRunner('remote-shell-cmd', resolver, { connectTimeoutMs: 5000 });
  });
  after(async () => {
    await Promise.all([a, b, stranger].map((s) => s?.close()));
  });

  const remoteCmd = testAction('remote-shell-cmd', {
    hosts: { type: 'string' },
    cmd: { type: 'string' },
    note: { type: 'string' },
    token: { type: 'string', secret: true },
  });

  test('hosts from the inventory, in parallel, per-host results in StackStorm shape', async () => {
    const ctx = testContext(remoteCmd);
    const r = await cmdRunner.run(remoteCmd, { hosts: 'srv1, srv2', cmd: 'echo out-$((6*7)); echo err >&2' }, ctx);
    assert.equal(r.status, 'succeeded');
    const res = r.result as Record<string, HostResult>;
    assert.deepEqual(Object.keys(res), ['srv1', 'srv2']);
    for (const h of ['srv1', 'srv2']) assert.deepEqual(res[h], { stdout: 'out-42', stderr: 'err', return_code: 0, succeeded: true, failed: false });
    assert.ok(ctx.lines.includes('srv1: out-42') && ctx.lines.includes('srv2: stderr: err'));
  });

  test('parallel really overlaps; parallel: false runs one host after another', async () => {
    const hosts = ['srv1', 'srv2'];
    let started = Date.now();
    await cmdRunner.run(remoteCmd, { hosts, cmd: 'sleep 0.6' }, testContext(remoteCmd));
    const together = Date.now() - started;
    started = Date.now();
    await cmdRunner.run(remoteCmd, { hosts, cmd: 'sleep 0.6', parallel: false }, testContext(remoteCmd));
    const serial = Date.now() - started;
    assert.ok(serial >= 1200, `serial took ${serial} ms`);
    assert.ok(together < serial - 300, `parallel ${together} ms vs serial ${serial} ms`);
  });

  test('one host failing fails the execution; the others keep their results', async () => {
    const r = await cmdRunner.run(remoteCmd, { hosts: ['srv1', 'srv2'], cmd: 'test "$(hostname)" = never || exit 3' }, testContext(remoteCmd));
    assert.equal(r.status, 'failed');
    assert.equal(r.error, undefined, 'a non-zero exit is the command failing, not the runner');
    const res = r.result as Record<string, HostResult>;
    assert.equal(res.srv1!.return_code, 3);
    assert.equal(res.srv1!.failed, true);
  });

  test('host keys are checked: an unknown key and a wrong password fail only their host, with the code', async () => {
    const r = await cmdRunner.run(remoteCmd, { hosts: 'srv1,unknownkey,wrongpw', cmd: 'echo hi' }, testContext(remoteCmd));
    assert.equal(r.status, 'failed');
    const res = r.result as Record<string, HostResult>;
    assert.equal(res.srv1!.succeeded, true);
    assert.equal(res.unknownkey!.error_code, 'NRX_ERR_HOSTKEY_UNKNOWN');
    assert.equal(res.unknownkey!.return_code, 255);
    assert.equal(res.wrongpw!.error_code, 'NRX_ERR_AUTH');
    assert.equal(r.error?.code, 'NRX_ERR_HOSTKEY_UNKNOWN');
    assert.match(r.error!.message, /2 of 3 host\(s\) could not run the command; unknownkey:/);
    assert.equal(stranger.commands.length, 0, 'nothing ran on the host whose key is unknown');
  });

  test('a host outside the inventory needs a login from the action; address:port works', async () => {
    const r = await cmdRunner.run(remoteCmd, { hosts: `127.0.0.1:${a.port}`, cmd: 'echo direct' }, testContext(remoteCmd));
    assert.equal(r.status, 'failed');
    assert.match((r.result as Record<string, HostResult>)[`127.0.0.1:${a.port}`]!.error!, /not in the inventory and the action gives no login/);
    const withCred = await cmdRunner.run(remoteCmd, { hosts: `127.0.0.1:${a.port}`, cmd: 'echo direct', credential: 'lab-ops' }, testContext(remoteCmd));
    assert.equal(withCred.status, 'succeeded');
    const withPw = await cmdRunner.run(
      remoteCmd,
      { hosts: `127.0.0.1:${b.port}`, cmd: 'echo direct', username: 'ops', password: 'pw-remote' },
      testContext(remoteCmd),
    );
    assert.equal((withPw.result as Record<string, HostResult>)[`127.0.0.1:${b.port}`]!.stdout, 'direct');
    const keyPath = await cmdRunner.run(remoteCmd, { hosts: 'srv1', cmd: 'true', private_key: '/root/.ssh/id_ed25519' }, testContext(remoteCmd));
    assert.equal(keyPath.status, 'failed');
    assert.match((keyPath.result as Record<string, HostResult>).srv1!.error!, /must be the key itself/);
  });

  test('parameters reach the host as quoted ST2_ACTION_ variables, never as shell syntax; secrets stay out; env and cwd', async () => {
    const hostile = `x'; touch ${dir}/pwned; echo '$(id)\`id\``;
    const r = await cmdRunner.run(
      remoteCmd,
      {
        hosts: 'srv1',
        cmd: 'printf "%s|%s|%s|%s" "$ST2_ACTION_NOTE" "$REGION" "$(pwd)" "${ST2_ACTION_TOKEN-unset}"',
        note: hostile,
        token: 's3cret',
        env: { REGION: 'eu west' },
        cwd: dir,
      },
      testContext(remoteCmd),
    );
    assert.equal(r.status, 'succeeded');
    assert.equal((r.result as Record<string, HostResult>).srv1!.stdout, `${hostile}|eu west|${dir}|unset`);
    assert.equal(existsSync(path.join(dir, 'pwned')), false);
    assert.ok(!a.commands.some((c) => c.includes('s3cret')), 'a secret parameter is not put on the remote command line');
    const bad = await cmdRunner.run(remoteCmd, { hosts: 'srv1', cmd: 'true', env: { 'A;rm': 'x' } }, testContext(remoteCmd));
    assert.equal(bad.error?.code, 'NRX_ERR_PARAM_INVALID');
  });

  test('timeout stops the command on that host: return_code -9, status timeout', async () => {
    const started = Date.now();
    const r = await cmdRunner.run(
      remoteCmd,
      { hosts: 'srv1,srv2', cmd: 'if [ "$ST2_ACTION_NOTE" = slow ]; then sleep 30; fi; echo done', note: 'slow', timeout: 1 },
      testContext(remoteCmd),
    );
    assert.equal(r.status, 'timeout');
    const res = r.result as Record<string, HostResult>;
    assert.equal(res.srv1!.return_code, -9);
    assert.equal(res.srv1!.timed_out, true);
    assert.ok(Date.now() - started < 6000);
  });

  test('cancel stops every host', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    const r = await cmdRunner.run(remoteCmd, { hosts: 'srv1,srv2', cmd: 'sleep 30' }, testContext(remoteCmd, ac.signal));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_CANCELED');
    assert.ok(Date.now() - started < 5000);
  });

  test('sudo and bastion_host are refused, hosts must name something', async () => {
    assert.equal((await cmdRunner.run(remoteCmd, { hosts: 'srv1', cmd: 'id', sudo: true }, testContext(remoteCmd))).error?.code, 'NRX_ERR_PARAM_INVALID');
    assert.equal(
      (await cmdRunner.run(remoteCmd, { hosts: 'srv1', cmd: 'id', bastion_host: 'jump' }, testContext(remoteCmd))).error?.code,
      'NRX_ERR_PARAM_INVALID',
    );
    assert.equal((await cmdRunner.run(remoteCmd, { hosts: ' , ', cmd: 'id' }, testContext(remoteCmd))).error?.code, 'NRX_ERR_PARAM_INVALID');
  });

  test('remote-shell-script copies the script to a private folder, passes arguments quoted, removes it after', async () => {
    const script = path.join(dir, 'report.sh');
    writeFileSync(script, '#!/bin/sh\necho "dir=$(dirname "$0")"\nfor a in "$@"; do echo "arg=$a"; done\n');
    chmodSync(script, 0o644);
    const action = testAction(
      'remote-shell-script',
      { hosts: { type: 'string' }, interface: { type: 'string', position: 0 }, mtu: { type: 'integer' } },
      { entryPoint: script },
    );
    const runner = new RemoteShellRunner('remote-shell-script', resolver);
    const r = await runner.run(action, { hosts: 'srv1', interface: 'eth0; rm -rf /', mtu: 9000, dir }, testContext(action));
    assert.equal(r.status, 'succeeded', JSON.stringify(r));
    const out = (r.result as Record<string, HostResult>).srv1!.stdout.split('\n');
    assert.match(out[0]!, new RegExp(`^dir=${dir}/netreflex-[A-Za-z0-9]{8}$`));
    assert.deepEqual(out.slice(1), ['arg=eth0; rm -rf /', 'arg=--mtu=9000']);
    const remoteDir = out[0]!.slice(4);
    assert.equal(existsSync(remoteDir), false, 'the copied script is removed');
  });

  test('hosts parsing: lists, commas, duplicates, host:port and IPv6', () => {
    assert.deepEqual(parseHosts('a, b,,a'), ['a', 'b']);
    assert.deepEqual(parseHosts(['x', ' y ']), ['x', 'y']);
    assert.deepEqual(splitHostPort('leaf1:2222'), { name: 'leaf1', port: 2222 });
    assert.deepEqual(splitHostPort('[2001:db8::1]:22'), { name: '2001:db8::1', port: 22 });
    assert.deepEqual(splitHostPort('2001:db8::1'), { name: '2001:db8::1', port: null });
  });
});
