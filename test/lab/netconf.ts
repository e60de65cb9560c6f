/**
 * A NETCONF device for the lab: yuma123 netconfd behind OpenSSH's `Subsystem netconf`, on a free
 * 127.0.0.1 port, with its own host key, user and a small YANG module of ours (interfaces and
 * VXLAN VNIs; the stock ietf-interfaces SIL crashes netconfd, so the lab loads its own small module).
 *
 * What netconfd 2.13 supports here (read from its hello): base:1.0 and base:1.1, :candidate,
 * :confirmed-commit:1.0/1.1, :validate:1.0/1.1, :rollback-on-error, :xpath, :url (file),
 * :notification, :interleave, :partial-lock, :with-defaults. With target 'candidate' (default)
 * running is written only by commit; with target 'running' edit-config writes running directly
 * and there is no candidate. :startup is off (--no-startup; nothing survives a restart).
 * Known bug: <validate source=candidate> before <commit> makes that commit a silent no-op.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePackages } from './packages.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run, waitFor } from './run.js';
import { freePort, type SshEndpoint } from './ssh.js';
import { portAnswers } from './sshd.js';

export const NETCONF_PACKAGES = ['netconfd', 'openssh-server'];
export const LAB_YANG_NAMESPACE = 'urn:netreflex:lab';

export interface NetconfLab extends SshEndpoint {
  /** netconfd's --target: where edit-config writes. */
  target: 'candidate' | 'running';
  /** The YANG module's namespace, for config and filters. */
  namespace: string;
  dir: string;
  stop(): Promise<void>;
}

export interface StartNetconfOptions {
  target?: 'candidate' | 'running';
}

const YANG = `module nrx-lab {
  yang-version 1;
  namespace "${LAB_YANG_NAMESPACE}";
  prefix nrx;
  organization "netreflex";
  description "netreflex lab device: hostname, interfaces and VXLAN VNIs.";
  revision 2024-01-01 { description "First version."; }
  container device {
    leaf hostname { type string; }
    list interface {
      key name;
      leaf name { type string; }
      leaf description { type string; }
      leaf enabled { type boolean; default true; }
      leaf mtu { type uint16 { range "68..9216"; } }
    }
    container vxlan {
      leaf source-interface { type string; }
      list vni {
        key id;
        leaf id { type uint32 { range "1..16777215"; } }
        leaf name { type string; }
        leaf vlan { type uint16 { range "1..4094"; } }
        leaf-list flood-vtep { type string; }
      }
    }
  }
}
`;

/** Starts netconfd and its sshd under <dir>/netconf; pids go to <dir>/pids. */
export async function startNetconf(dir: string, opts: StartNetconfOptions = {}): Promise<NetconfLab> {
  await ensurePackages(NETCONF_PACKAGES);
  const target = opts.target ?? 'candidate';
  const base = path.join(dir, 'netconf');
  const pidDir = path.join(dir, 'pids');
  const modules = path.join(base, 'modules');
  for (const d of [base, pidDir, modules]) mkdirSync(d, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  writeFileSync(path.join(modules, 'nrx-lab.yang'), YANG);

  const port = await freePort();
  const tag = `nc${port}`;
  // One HOME/cwd per instance: netconfd keeps ~/.yuma there and writes backup-cfg.xml (confirmed commit) to its cwd.
  const home = path.join(base, `home-${port}`);
  mkdirSync(home, { recursive: true });
  const username = `nrxnc${port}`;
  const password = `nc-${randomBytes(6).toString('hex')}`;
  // The subsystem runs as the NETCONF user, who cannot traverse a 0700 mkdtemp dir: the socket lives under /run.
  const sockDir = '/run/netreflex-lab';
  mkdirSync(sockDir, { recursive: true, mode: 0o755 });
  const sock = path.join(sockDir, `ncxserver-${port}.sock`);
  const hostKey = path.join(base, `host_ed25519_${port}`);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netreflex-netconf-lab', '-f', hostKey]);
  chmodSync(hostKey, 0o600);

  // The subsystem runs through the user's login shell, so the user needs a real one.
  await run('userdel', ['-r', '-f', username], { allowFail: true });
  await run('useradd', ['-m', '-s', '/bin/sh', '-c', 'netreflex netconf lab', username]);
  await run('chpasswd', [], { input: `${username}:${password}\n` });
  const privateKeyPath = path.join(base, `client_ed25519_${port}`);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netreflex-netconf-client', '-f', privateKeyPath]);
  const uid = Number((await run('id', ['-u', username])).stdout.trim());
  const sshDir = `/home/${username}/.ssh`;
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  writeFileSync(`${sshDir}/authorized_keys`, readFileSync(`${privateKeyPath}.pub`), { mode: 0o600 });
  for (const p of [sshDir, `${sshDir}/authorized_keys`]) chownSync(p, uid, -1);

  const stopAll = async (): Promise<void> => {
    for (const program of ['sshd', 'netconfd']) {
      const file = pidfilePath(pidDir, tag, program);
      const pid = readPid(file);
      if (pid !== undefined) await stopPid(pid, program);
    }
    await run('userdel', ['-r', '-f', username], { allowFail: true });
    rmSync(sock, { force: true });
  };

  try {
    // netconfd stays in the foreground.
    const log = openSync(path.join(base, `netconfd-${port}.out`), 'a');
    const child = spawn(
      '/usr/sbin/netconfd',
      [
        `--superuser=${username}`,
        '--no-startup',
        `--port=${port}`,
        `--target=${target}`,
        `--modpath=${modules}:/usr/share/yuma/modules`,
        '--module=nrx-lab',
        `--log=${path.join(base, `netconfd-${port}.log`)}`,
        `--ncxserver-sockname=${sock}`,
      ],
      { stdio: ['ignore', log, log], cwd: home, env: { ...process.env, HOME: home }, detached: true },
    );
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error('netconfd did not start');
    writeFileSync(pidfilePath(pidDir, tag, 'netconfd'), `${child.pid}\n`);
    await waitFor(`netconfd socket ${sock}`, () => existsSync(sock), 10_000, 20);

    const conf = path.join(base, `sshd_config_${port}`);
    writeFileSync(
      conf,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${pidfilePath(pidDir, tag, 'sshd')}`,
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'UsePAM no',
        'PrintMotd no',
        'PrintLastLog no',
        'UseDNS no',
        'MaxStartups 100:30:200',
        `AllowUsers ${username}`,
        // The argument is <ssh port>@<socket>: netconfd checks the port against its --port list.
        `Subsystem netconf /usr/sbin/netconf-subsystem --ncxserver-sockname=${port}@${sock}`,
        '',
      ].join('\n'),
    );
    await run('/usr/sbin/sshd', ['-t', '-f', conf]);
    await run('/usr/sbin/sshd', ['-f', conf, '-E', path.join(base, `sshd-${port}.log`)]);
    await waitFor(`sshd for netconf on 127.0.0.1:${port}`, () => portAnswers('127.0.0.1', port), 5000, 20);
  } catch (e) {
    await stopAll();
    throw e;
  }
  const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  return {
    host: '127.0.0.1',
    port,
    username,
    password,
    privateKeyPath,
    hostPublicKey: `${type} ${key}`,
    target,
    namespace: LAB_YANG_NAMESPACE,
    dir: base,
    stop: stopAll,
  };
}
