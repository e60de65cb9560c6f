/**
 * Per router, an OpenSSH server on 127.0.0.1:<free port> whose only user lands in the router's
 * vtysh: the closest thing to a vendor box's CLI that runs here. Password and key auth both
 * work; each server has its own host key so host-key checking is real.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pidfilePath } from './pids.js';
import { run, waitFor } from './run.js';
import { netnsOf, userOf } from './topology.js';
import { portAnswers } from './sshd.js';

/** An sshd the lab started on loopback, and how to log in to it (password or key). */
export interface SshEndpoint {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  privateKeyPath: string;
  /** "ssh-ed25519 AAAA..." of this sshd. */
  hostPublicKey: string;
}

export type RouterSsh = SshEndpoint;

/** A TCP port nobody listens on right now (the kernel picks it; the small race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The one client key every lab user accepts (the private key is the tests' to use). */
export async function clientKey(labDir: string): Promise<{ privateKeyPath: string; publicKey: string }> {
  const privateKeyPath = path.join(labDir, 'ssh', 'client_ed25519');
  if (!existsSync(privateKeyPath)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netreflex-lab-client', '-f', privateKeyPath]);
  return { privateKeyPath, publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8').trim() };
}

/** The login shell: vtysh in the router's namespace; `ssh host 'show ...'` arrives as `-c`. */
function shellScript(router: string): string {
  const ns = netnsOf(router);
  return ['#!/bin/sh', `if [ "$1" = "-c" ] && [ -n "$2" ]; then exec /usr/bin/vtysh -N ${ns} -c "$2"; fi`, `exec /usr/bin/vtysh -N ${ns}`, ''].join('\n');
}

export async function deleteUser(router: string): Promise<boolean> {
  const user = userOf(router);
  if ((await run('id', ['-u', user], { allowFail: true })).code !== 0) return false;
  await run('userdel', ['-r', '-f', user], { allowFail: true });
  return true;
}

async function createUser(labDir: string, router: string, password: string, publicKey: string): Promise<string> {
  const user = userOf(router);
  const shell = path.join(labDir, 'bin', `vtysh-${router}`);
  writeFileSync(shell, shellScript(router), { mode: 0o755 });
  await deleteUser(router);
  // primary group frr: /etc/frr/<ns> is 0770 frr; frrvty: the daemons' vty sockets
  await run('useradd', ['-m', '-g', 'frr', '-G', 'frrvty', '-s', shell, '-c', `netreflex lab ${router}`, user]);
  await run('chpasswd', [], { input: `${user}:${password}\n` });
  const info = await run('id', ['-u', user]);
  const uid = Number(info.stdout.trim());
  const home = `/home/${user}`;
  mkdirSync(`${home}/.ssh`, { recursive: true, mode: 0o700 });
  writeFileSync(`${home}/.ssh/authorized_keys`, `${publicKey}\n`, { mode: 0o600 });
  for (const p of [`${home}/.ssh`, `${home}/.ssh/authorized_keys`]) chownSync(p, uid, -1);
  return user;
}

function sshdConfig(labDir: string, router: string, port: number, user: string, hostKey: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${pidfilePath(path.join(labDir, 'pids'), router, 'sshd')}`,
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    // PAM would print Debian's motd banner before the prompt
    'UsePAM no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    // fan-out and benchmark tests open many sessions at once
    'MaxStartups 200:30:400',
    'MaxSessions 100',
    `AllowUsers ${user}`,
    '',
  ].join('\n');
}

/** Creates the user and host key, starts sshd, waits until the port answers. */
export async function startSsh(labDir: string, router: string, clientPrivateKey: string, clientPublicKey: string): Promise<RouterSsh> {
  const dir = path.join(labDir, 'ssh', router);
  mkdirSync(dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  const hostKey = path.join(dir, 'host_ed25519');
  rmSync(hostKey, { force: true });
  rmSync(`${hostKey}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${router}-host`, '-f', hostKey]);
  chmodSync(hostKey, 0o600);
  const password = `lab-${randomBytes(6).toString('hex')}`;
  const user = await createUser(labDir, router, password, clientPublicKey);
  const port = await freePort();
  const conf = path.join(dir, 'sshd_config');
  writeFileSync(conf, sshdConfig(labDir, router, port, user, hostKey));
  await run('/usr/sbin/sshd', ['-t', '-f', conf]);
  await run('/usr/sbin/sshd', ['-f', conf, '-E', path.join(dir, 'sshd.log')]);
  await waitFor(`sshd for ${router} on 127.0.0.1:${port}`, () => portAnswers('127.0.0.1', port), 5000, 50);
  const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  return { host: '127.0.0.1', port, username: user, password, privateKeyPath: clientPrivateKey, hostPublicKey: `${type} ${key}` };
}
