/**
 * One OpenSSH server for a lab login (a Linux host, a leaf's Linux side, the LAG switch): a new
 * ed25519 host key, password and key logins for one user, started in a network namespace or on
 * this machine, ready once its port answers. Stopping it is the caller's (its pidfile).
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { pidfilePath } from './pids.js';
import { run, waitFor } from './run.js';

export interface SshdOptions {
  /** Where the host key, sshd_config and sshd.log go. */
  dir: string;
  /** Names the pidfile (and the host key's comment). */
  name: string;
  pidDir: string;
  address: string;
  port: number;
  /** The one user allowed to log in. */
  user: string;
  /** Run sshd inside this namespace (its logins' shells run there too); absent: on this machine. */
  netns?: string;
}

/** Starts sshd; resolves with its host public key ("ssh-ed25519 AAAA...") once it answers. */
export async function startSshd(o: SshdOptions): Promise<{ hostPublicKey: string }> {
  const hostKey = path.join(o.dir, 'host_ed25519');
  rmSync(hostKey, { force: true });
  rmSync(`${hostKey}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${o.name}-host`, '-f', hostKey]);
  chmodSync(hostKey, 0o600);
  const conf = path.join(o.dir, 'sshd_config');
  writeFileSync(
    conf,
    [
      `Port ${o.port}`,
      `ListenAddress ${o.address}`,
      `HostKey ${hostKey}`,
      `PidFile ${pidfilePath(o.pidDir, o.name, 'sshd')}`,
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AuthorizedKeysFile .ssh/authorized_keys',
      'UsePAM no',
      'PrintMotd no',
      'PrintLastLog no',
      'UseDNS no',
      'MaxStartups 100:30:200',
      `AllowUsers ${o.user}`,
      '',
    ].join('\n'),
  );
  await run('/usr/sbin/sshd', ['-t', '-f', conf]);
  const sshd = ['/usr/sbin/sshd', '-f', conf, '-E', path.join(o.dir, 'sshd.log')];
  if (o.netns) await run('ip', ['netns', 'exec', o.netns, ...sshd]);
  else await run(sshd[0]!, sshd.slice(1));
  await waitFor(`sshd of ${o.name} on ${o.address}:${o.port}`, () => portAnswers(o.address, o.port), 10_000, 50);
  const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  return { hostPublicKey: `${type} ${key}` };
}

export function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
