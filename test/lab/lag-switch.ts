/**
 * The lab's LAG as a switch (issue 13): bridge nrxlab-brA and its bond A behind an SSH login whose
 * shell is netreflex's switch CLI (drivers/platforms/openvswitch/switch-cli.sh), so workflows reach
 * the bond through the device drivers like any other device. Bridge B stands for the partner at
 * the far end of the LACP bundle and is not managed.
 *
 * The switch has its own management address, 127.0.50.1 (any 127/8 address is local on Linux):
 * sshd listens there, its snmpd answers there and sends linkUp/linkDown traps from there
 * (`clientaddr`), and the bridge's sFlow agent address is set to it. The three sensors then name
 * the same source; only syslog names the machine (OVS logs the machine's hostname), which the
 * inventory entry lists as an alias.
 *
 * Everything it starts has a pidfile under <lab dir>/pids and its user is removed by teardown.ts,
 * so `lab:down` (or the next lab's cleanup) takes it away.
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Host } from '../../src/inventory/model.js';
import type { Lab } from './lab.js';
import { startSshd } from './sshd.js';
import { ensurePackages } from './packages.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run, waitFor } from './run.js';
import { freeUdpPort, SNMP_PACKAGES } from './snmp.js';
import { freePort } from './ssh.js';
import { OVS } from './topology.js';

/** Fixed like every lab name (one lab per machine); teardown.ts removes the user by this name. */
export const LAG_SWITCH_USER = 'nrxlab-lagsw';
export const LAG_SWITCH_NAME = 'labsw1';
export const LAG_SWITCH_ADDRESS = '127.0.50.1';
export const LAG_SWITCH_BOND = OVS.bondA;
export const LAG_SWITCH_MEMBERS = OVS.members.map((m) => `${m}-a`);
const CLI_SOURCE = path.join(import.meta.dirname, '../../drivers/platforms/openvswitch/switch-cli.sh');

export interface LagSwitch {
  /** Its inventory name (also the CLI's prompt). */
  name: string;
  address: string;
  port: number;
  username: string;
  password: string;
  privateKeyPath: string;
  /** "ssh-ed25519 AAAA..." of its sshd. */
  hostPublicKey: string;
  /** The known_hosts line for it (`[127.0.50.1]:port ssh-ed25519 ...`). */
  knownHostsLine: string;
  /** Where its snmpd answers (v2c community `public`). */
  snmp: { host: string; port: number };
  /** The inventory entry (Nornir shape): platform openvswitch, aliases, the LAG and its minimum links. */
  inventoryHost(credential: string): Host;
  stop(): Promise<void>;
}

export interface StartLagSwitchOptions {
  /** Send v2c linkUp/linkDown traps for the bond's members to 127.0.0.1:<trapPort>. */
  trapPort?: number;
  /** The LAG's minimum links recorded in the inventory entry (default 1). */
  minLinks?: number;
}

export async function deleteLagSwitchUser(): Promise<boolean> {
  if ((await run('id', ['-u', LAG_SWITCH_USER], { allowFail: true })).code !== 0) return false;
  await run('userdel', ['-r', '-f', LAG_SWITCH_USER], { allowFail: true });
  return true;
}

/** Starts the switch login (and its snmpd when trapPort is given) on a running lab. */
export async function startLagSwitch(lab: Lab, opts: StartLagSwitchOptions = {}): Promise<LagSwitch> {
  const dir = path.join(lab.dir, 'lagsw');
  const pids = path.join(lab.dir, 'pids');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stop = async (): Promise<void> => {
    for (const program of ['sshd', 'snmpd']) {
      const pid = readPid(pidfilePath(pids, LAG_SWITCH_NAME, program));
      if (pid !== undefined) await stopPid(pid, program);
      rmSync(pidfilePath(pids, LAG_SWITCH_NAME, program), { force: true });
    }
    await deleteLagSwitchUser();
  };
  try {
    const login = await startLogin(lab, dir, pids);
    const snmp = opts.trapPort !== undefined ? await startMemberTraps(dir, pids, opts.trapPort) : { host: LAG_SWITCH_ADDRESS, port: 0 };
    await setSflowAgent(lab);
    return {
      ...login,
      snmp,
      inventoryHost: (credential) => ({
        name: LAG_SWITCH_NAME,
        hostname: LAG_SWITCH_ADDRESS,
        port: login.port,
        platform: 'openvswitch',
        credential,
        data: {
          role: 'switch',
          site: 'lab',
          // OVS's syslog names the machine, not the switch
          aliases: [os.hostname()],
          lags: { [LAG_SWITCH_BOND]: { members: [...LAG_SWITCH_MEMBERS], min_links: opts.minLinks ?? 1 } },
        },
      }),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

type Login = Omit<LagSwitch, 'snmp' | 'inventoryHost' | 'stop'>;

async function startLogin(lab: Lab, dir: string, pids: string): Promise<Login> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const cli = path.join(dir, 'switch-cli.sh');
  copyFileSync(CLI_SOURCE, cli);
  chmodSync(cli, 0o755);
  const shell = path.join(dir, 'login-shell');
  const ovsDir = path.join(lab.dir, 'ovs');
  writeFileSync(
    shell,
    [
      '#!/bin/sh',
      `export OVS_RUNDIR='${ovsDir}' NRX_SWITCH_NAME='${LAG_SWITCH_NAME}' NRX_SWITCH_BRIDGE='${OVS.bridgeA}' NRX_SWITCH_BONDS='${LAG_SWITCH_BOND}'`,
      `exec /bin/bash '${cli}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  await deleteLagSwitchUser();
  const password = `sw-${randomBytes(6).toString('hex')}`;
  await run('useradd', ['-m', '-U', '-s', shell, '-c', 'netreflex lab LAG switch', LAG_SWITCH_USER]);
  await run('chpasswd', [], { input: `${LAG_SWITCH_USER}:${password}\n` });
  const uid = Number((await run('id', ['-u', LAG_SWITCH_USER])).stdout.trim());
  const gid = Number((await run('id', ['-g', LAG_SWITCH_USER])).stdout.trim());
  // The CLI reaches ovs-vswitchd's control socket and the bridge's OpenFlow socket, nothing else.
  for (const sock of ['ovs-vswitchd.ctl', `${OVS.bridgeA}.mgmt`]) {
    chownSync(path.join(ovsDir, sock), -1, gid);
    chmodSync(path.join(ovsDir, sock), 0o770);
  }
  const privateKeyPath = path.join(dir, 'client_ed25519');
  rmSync(privateKeyPath, { force: true });
  rmSync(`${privateKeyPath}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netreflex-lagsw-client', '-f', privateKeyPath]);
  const sshDir = `/home/${LAG_SWITCH_USER}/.ssh`;
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  writeFileSync(`${sshDir}/authorized_keys`, readFileSync(`${privateKeyPath}.pub`), { mode: 0o600 });
  for (const p of [sshDir, `${sshDir}/authorized_keys`]) chownSync(p, uid, gid);

  const port = await freePort();
  const { hostPublicKey } = await startSshd({ dir, name: LAG_SWITCH_NAME, pidDir: pids, address: LAG_SWITCH_ADDRESS, port, user: LAG_SWITCH_USER });
  return {
    name: LAG_SWITCH_NAME,
    address: LAG_SWITCH_ADDRESS,
    port,
    username: LAG_SWITCH_USER,
    password,
    privateKeyPath,
    hostPublicKey,
    knownHostsLine: `[${LAG_SWITCH_ADDRESS}]:${port} ${hostPublicKey}`,
  };
}

/**
 * snmpd in the root namespace (where the bond's members are), watching exactly the members'
 * ifOperStatus instances: a linkDown/linkUp trap per member, with ifDescr so the trap names it.
 */
async function startMemberTraps(dir: string, pids: string, trapPort: number): Promise<{ host: string; port: number }> {
  await ensurePackages(SNMP_PACKAGES);
  const base = path.join(dir, 'snmp');
  mkdirSync(path.join(base, 'persist'), { recursive: true });
  const port = await freeUdpPort();
  const lines = [
    `agentaddress udp:${LAG_SWITCH_ADDRESS}:${port}`,
    // a client setting: snmpd reads it from its [snmp] section (the traps' source address)
    `[snmp] clientaddr ${LAG_SWITCH_ADDRESS}`,
    'rocommunity public 127.0.0.0/8',
    'createUser internalUser',
    'rouser internalUser noauth',
    'iquerySecName internalUser',
    `sysName ${LAG_SWITCH_NAME}`,
    `trap2sink udp:127.0.0.1:${trapPort} public`,
  ];
  for (const member of LAG_SWITCH_MEMBERS) {
    const ifIndex = Number(readFileSync(`/sys/class/net/${member}/ifindex`, 'utf8').trim());
    const objects = ['1', '7', '8', '2'].map((col) => `-i .1.3.6.1.2.1.2.2.1.${col}.${ifIndex}`).join(' ');
    const tag = member.replace(/\W/g, '');
    lines.push(
      `notificationEvent ${tag}Up .1.3.6.1.6.3.1.1.5.4 ${objects}`,
      `notificationEvent ${tag}Down .1.3.6.1.6.3.1.1.5.3 ${objects}`,
      // -I: this one instance; -S: no trap for the state at start
      `monitor -I -r 1 -S -e ${tag}Up "${member} up" .1.3.6.1.2.1.2.2.1.8.${ifIndex} != 2`,
      `monitor -I -r 1 -S -e ${tag}Down "${member} down" .1.3.6.1.2.1.2.2.1.8.${ifIndex} == 2`,
    );
  }
  const confPath = path.join(base, 'snmpd.conf');
  writeFileSync(confPath, `${lines.join('\n')}\n`);
  const pidFile = pidfilePath(pids, LAG_SWITCH_NAME, 'snmpd');
  const env = { ...process.env, SNMP_PERSISTENT_DIR: path.join(base, 'persist'), MIBS: '' };
  await run('/usr/sbin/snmpd', ['-C', '-c', confPath, '-p', pidFile, '-Lf', path.join(base, 'snmpd.log')], { env });
  const probe = ['-m', '', '-v2c', '-c', 'public', '-t', '0.3', '-r', '0', `${LAG_SWITCH_ADDRESS}:${port}`, '1.3.6.1.2.1.1.5.0'];
  await waitFor(
    `snmpd of ${LAG_SWITCH_NAME} on ${LAG_SWITCH_ADDRESS}:${port}`,
    async () => (await run('snmpget', probe, { allowFail: true, env })).code === 0,
    10_000,
    50,
  );
  return { host: LAG_SWITCH_ADDRESS, port };
}

/** The bridge's sFlow datagrams name the switch's address as their agent. */
async function setSflowAgent(lab: Lab): Promise<void> {
  const uuid = (await lab.ovs.vsctl('--columns=_uuid', '--bare', 'list', 'sflow')).stdout.trim().split(/\s+/)[0];
  if (uuid) await lab.ovs.vsctl('set', 'sflow', uuid, `agent=${LAG_SWITCH_ADDRESS}`);
}
