/**
 * A plain Linux server for the lab: its own network namespace with a veth to the root
 * namespace, OpenSSH on port 22 of its address, and a bash user that logs in with a password or
 * a key. What remote-shell-cmd runs against (the FRR routers' users land in vtysh instead).
 * Names carry a random tag, so hosts of parallel tests never meet, and the full FRR lab's lock
 * is not needed. Root only.
 */
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { addNamespace, cable, deleteLink, deleteNamespace } from './namespaces.js';
import { ensurePackages } from './packages.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run } from './run.js';
import { startSshd } from './sshd.js';

export const LINUX_HOST_PACKAGES = ['iproute2', 'openssh-server', 'openssh-client', 'bash', 'procps'];

export interface LinuxHost {
  /** Its network namespace (sshd runs inside it). */
  netns: string;
  /** The host's address, reachable from the root namespace. */
  address: string;
  port: 22;
  username: string;
  password: string;
  privateKeyPath: string;
  /** "ssh-ed25519 AAAA..." of this sshd. */
  hostPublicKey: string;
  stop(): Promise<void>;
}

/** A /30 in 198.18.0.0/15 (RFC 2544 benchmarking) that no interface here uses yet. */
export async function freeSubnet(): Promise<string> {
  const used = (await run('ip', ['-o', '-4', 'addr', 'show'])).stdout;
  for (let i = 0; i < 50; i++) {
    const base = `198.${18 + randomInt(2)}.${randomInt(256)}.${randomInt(64) * 4}`;
    const prefix = base.split('.').slice(0, 3).join('.');
    if (!used.includes(` ${prefix}.`)) return base;
  }
  throw new Error('no free /30 in 198.18.0.0/15');
}

export function plus(base: string, n: number): string {
  const p = base.split('.').map(Number);
  p[3]! += n;
  return p.join('.');
}

export async function startLinuxHost(dir: string): Promise<LinuxHost> {
  await ensurePackages(LINUX_HOST_PACKAGES);
  const tag = randomBytes(3).toString('hex');
  const netns = `nrxsh-${tag}`;
  const rootIf = `nrxsh${tag}`;
  const username = `nrxsh${tag}`;
  const password = `sh-${randomBytes(6).toString('hex')}`;
  const base = path.join(dir, netns);
  const pidDir = path.join(dir, 'pids');
  for (const d of [base, pidDir]) mkdirSync(d, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const subnet = await freeSubnet();
  const address = plus(subnet, 2);

  const stop = async (): Promise<void> => {
    const pid = readPid(pidfilePath(pidDir, netns, 'sshd'));
    if (pid !== undefined) await stopPid(pid, 'sshd');
    // Whatever a test left running in the namespace (it is ours alone: the name has a random
    // tag) would keep the namespace, and the veth, alive after `ip netns del`.
    const left = await run('ip', ['netns', 'pids', netns], { allowFail: true });
    for (const p of left.stdout.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await run('userdel', ['-r', '-f', username], { allowFail: true });
    await deleteNamespace(netns);
    await deleteLink(rootIf);
  };

  try {
    await addNamespace(netns);
    await cable({ ifname: rootIf, address: `${plus(subnet, 1)}/30` }, { netns, ifname: 'eth0', address: `${address}/30` });

    await run('useradd', ['-m', '-s', '/bin/bash', '-c', 'netreflex lab linux host', username]);
    await run('chpasswd', [], { input: `${username}:${password}\n` });
    const privateKeyPath = path.join(base, 'client_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netreflex-linux-client', '-f', privateKeyPath]);
    const uid = Number((await run('id', ['-u', username])).stdout.trim());
    const sshDir = `/home/${username}/.ssh`;
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    writeFileSync(`${sshDir}/authorized_keys`, readFileSync(`${privateKeyPath}.pub`), { mode: 0o600 });
    for (const p of [sshDir, `${sshDir}/authorized_keys`]) chownSync(p, uid, -1);

    const { hostPublicKey } = await startSshd({ dir: base, name: netns, pidDir, address, port: 22, user: username, netns });
    return { netns, address, port: 22, username, password, privateKeyPath, hostPublicKey, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
