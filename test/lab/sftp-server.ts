/**
 * An SFTP log server for the lab: OpenSSH's internal-sftp in its own network namespace, one
 * user chrooted to a directory with a writable `upload/`, password and key logins, nothing but
 * SFTP allowed. What the files pack uploads bundles to. Names carry a random tag, so servers of
 * parallel tests never meet. Root only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freeSubnet, plus } from './linux-host.js';
import { portAnswers } from './sshd.js';
import { addNamespace, cable, deleteLink, deleteNamespace } from './namespaces.js';
import { ensurePackages } from './packages.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run, waitFor } from './run.js';

export interface SftpServer {
  netns: string;
  address: string;
  port: 22;
  username: string;
  password: string;
  privateKeyPath: string;
  /** "ssh-ed25519 AAAA..." of this sshd. */
  hostPublicKey: string;
  /** Where `upload/<file>` of the SFTP user lands on this machine. */
  uploadDir: string;
  stop(): Promise<void>;
}

export async function startSftpServer(dir: string): Promise<SftpServer> {
  await ensurePackages(['iproute2', 'openssh-server', 'openssh-client']);
  const tag = randomBytes(3).toString('hex');
  const netns = `nrxsf-${tag}`;
  const rootIf = `nrxsf${tag}`;
  const username = `nrxsf${tag}`;
  const password = `sf-${randomBytes(6).toString('hex')}`;
  // sshd refuses a chroot any of whose parents is not root-owned and closed to others (so not /tmp)
  const chroot = `/srv/nrx-sftp-${tag}`;
  const base = path.join(dir, netns);
  const pidDir = path.join(dir, 'pids');
  for (const d of [base, pidDir]) mkdirSync(d, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const subnet = await freeSubnet();
  const address = plus(subnet, 2);

  const stop = async (): Promise<void> => {
    const pid = readPid(pidfilePath(pidDir, netns, 'sshd'));
    if (pid !== undefined) await stopPid(pid, 'sshd');
    await run('userdel', ['-r', '-f', username], { allowFail: true });
    rmSync(chroot, { recursive: true, force: true });
    await deleteNamespace(netns);
    await deleteLink(rootIf);
  };

  try {
    await addNamespace(netns);
    await cable({ ifname: rootIf, address: `${plus(subnet, 1)}/30` }, { netns, ifname: 'eth0', address: `${address}/30` });
    await run('useradd', ['-m', '-s', '/usr/sbin/nologin', '-c', 'netreflex lab sftp', username]);
    await run('chpasswd', [], { input: `${username}:${password}\n` });
    const uid = Number((await run('id', ['-u', username])).stdout.trim());
    const privateKeyPath = path.join(base, 'client_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netreflex-sftp-client', '-f', privateKeyPath]);
    const sshDir = `/home/${username}/.ssh`;
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    writeFileSync(`${sshDir}/authorized_keys`, readFileSync(`${privateKeyPath}.pub`), { mode: 0o600 });
    for (const p of [sshDir, `${sshDir}/authorized_keys`]) chownSync(p, uid, -1);
    mkdirSync(chroot, { mode: 0o755 });
    chmodSync(chroot, 0o755);
    const uploadDir = path.join(chroot, 'upload');
    mkdirSync(uploadDir, { mode: 0o755 });
    chownSync(uploadDir, uid, -1);

    const hostKey = path.join(base, 'host_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${netns}-host`, '-f', hostKey]);
    chmodSync(hostKey, 0o600);
    const conf = path.join(base, 'sshd_config');
    writeFileSync(
      conf,
      [
        'Port 22',
        `ListenAddress ${address}`,
        `HostKey ${hostKey}`,
        `PidFile ${pidfilePath(pidDir, netns, 'sshd')}`,
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'AuthorizedKeysFile .ssh/authorized_keys',
        'UsePAM no',
        'UseDNS no',
        `AllowUsers ${username}`,
        'Subsystem sftp internal-sftp',
        `Match User ${username}`,
        `    ChrootDirectory ${chroot}`,
        '    ForceCommand internal-sftp',
        '    AllowTcpForwarding no',
        '    X11Forwarding no',
        '',
      ].join('\n'),
    );
    await run('/usr/sbin/sshd', ['-t', '-f', conf]);
    await run('ip', ['netns', 'exec', netns, '/usr/sbin/sshd', '-f', conf, '-E', path.join(base, 'sshd.log')]);
    await waitFor(`sftp sshd of ${netns} on ${address}:22`, () => portAnswers(address, 22), 10_000, 50);
    const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
    return { netns, address, port: 22, username, password, privateKeyPath, hostPublicKey: `${type} ${key}`, uploadDir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
