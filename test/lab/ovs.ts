/**
 * The LAG: the kernel here has no bonding driver, so two Open vSwitch userspace (netdev) bridges
 * are joined by a two-member LACP bond (members lagx1, lagx2: veth pairs lagxN-a <-> lagxN-b).
 * OVS runs with its own database and sockets under <lab dir>/ovs, and logs RFC 5424 syslog
 * straight to the lab's syslog port.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { cable, deleteLink, setLink } from './namespaces.js';
import { isRunning, pidfilePath } from './pids.js';
import { run, waitFor, type RunResult } from './run.js';
import { OVS } from './topology.js';

export interface OvsPaths {
  dir: string;
  db: string;
  dbSocket: string;
  vswitchdCtl: string;
}

export function ovsPaths(labDir: string): OvsPaths {
  const dir = path.join(labDir, 'ovs');
  return { dir, db: path.join(dir, 'conf.db'), dbSocket: path.join(dir, 'db.sock'), vswitchdCtl: path.join(dir, 'ovs-vswitchd.ctl') };
}

function ovsEnv(p: OvsPaths): NodeJS.ProcessEnv {
  return { ...process.env, OVS_RUNDIR: p.dir, OVS_LOGDIR: p.dir, OVS_DBDIR: p.dir };
}

export function vsctl(labDir: string, args: string[], allowFail = false): Promise<RunResult> {
  const p = ovsPaths(labDir);
  return run('ovs-vsctl', [`--db=unix:${p.dbSocket}`, '--timeout=10', ...args], { env: ovsEnv(p), allowFail });
}

export function appctl(labDir: string, args: string[], allowFail = false): Promise<RunResult> {
  const p = ovsPaths(labDir);
  return run('ovs-appctl', ['-t', p.vswitchdCtl, ...args], { env: ovsEnv(p), allowFail });
}

/** Root-namespace device names of a LAG member: "lagx1" -> lagx1-a (on bridge A) and lagx1-b. */
export function memberDevice(member: string): string {
  if ((OVS.members as readonly string[]).includes(member)) return `${member}-b`;
  if (OVS.members.some((m) => member === `${m}-a` || member === `${m}-b`)) return member;
  throw new NrxError('NRX_ERR_NOT_FOUND', `lab: no LAG member "${member}" (members: ${OVS.members.join(', ')}, or their -a/-b ends)`);
}

export async function startOvs(labDir: string, syslogPort: number): Promise<void> {
  const p = ovsPaths(labDir);
  const pids = path.join(labDir, 'pids');
  mkdirSync(p.dir, { recursive: true });
  rmSync(p.db, { force: true });
  const env = ovsEnv(p);
  await run('ovsdb-tool', ['create', p.db, '/usr/share/openvswitch/vswitch.ovsschema'], { env });
  await run(
    'ovsdb-server',
    [
      p.db,
      `--remote=punix:${p.dbSocket}`,
      `--pidfile=${pidfilePath(pids, 'ovs', 'ovsdb-server')}`,
      '--detach',
      `--log-file=${path.join(p.dir, 'ovsdb-server.log')}`,
      `--unixctl=${path.join(p.dir, 'ovsdb-server.ctl')}`,
    ],
    { env },
  );
  await vsctl(labDir, ['--no-wait', 'init']);
  await run(
    'ovs-vswitchd',
    [
      `unix:${p.dbSocket}`,
      `--pidfile=${pidfilePath(pids, 'ovs', 'ovs-vswitchd')}`,
      '--detach',
      `--log-file=${path.join(p.dir, 'ovs-vswitchd.log')}`,
      `--unixctl=${p.vswitchdCtl}`,
      `--syslog-target=127.0.0.1:${syslogPort}`,
      '--verbose=syslog:info',
      // no kernel datapath here: dpif warns about it every few seconds, which is noise on the syslog port
      '--verbose=dpif:syslog:err',
    ],
    { env },
  );
}

export async function buildLag(labDir: string): Promise<void> {
  for (const m of OVS.members) {
    await deleteLink(`${m}-a`);
    await cable({ ifname: `${m}-a` }, { ifname: `${m}-b` });
  }
  const lacp = ['lacp=active', 'bond_mode=balance-tcp', 'other_config:lacp-time=fast'];
  for (const [bridge, bond, end] of [
    [OVS.bridgeA, OVS.bondA, 'a'],
    [OVS.bridgeB, OVS.bondB, 'b'],
  ] as const) {
    await vsctl(labDir, [
      '--may-exist',
      'add-br',
      bridge,
      '--',
      'set',
      'bridge',
      bridge,
      'datapath_type=netdev',
      '--',
      'add-bond',
      bridge,
      bond,
      ...OVS.members.map((m) => `${m}-${end}`),
      ...lacp,
    ]);
  }
  for (const h of OVS.hosts) {
    await deleteLink(h.port);
    await cable({ netns: h.netns, ifname: h.ifname, address: `${h.addr}/24` }, { ifname: h.port });
    await vsctl(labDir, ['add-port', h.bridge === 'A' ? OVS.bridgeA : OVS.bridgeB, h.port]);
  }
}

/** LACP negotiated on both bonds (about 2 s with lacp-time=fast). */
export async function lacpNegotiated(labDir: string): Promise<boolean> {
  for (const bond of [OVS.bondA, OVS.bondB]) {
    const r = await appctl(labDir, ['bond/show', bond], true);
    if (!/lacp_status:\s*negotiated/.test(r.stdout)) return false;
  }
  return true;
}

export async function setMember(member: string, state: 'up' | 'down'): Promise<void> {
  await setLink(undefined, memberDevice(member), state);
}

/** Deletes the bridges (so OVS removes its taps), stops nothing: pids.ts stops the daemons. */
export async function dismantleOvs(labDir: string): Promise<void> {
  if (!existsSync(ovsPaths(labDir).dbSocket)) return;
  for (const br of [OVS.bridgeA, OVS.bridgeB]) await vsctl(labDir, ['--if-exists', 'del-br', br], true);
}

/** After the daemons are gone: the veths and any tap devices a killed ovs-vswitchd left behind. */
export async function removeOvsLinks(links: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const l of links) if (await deleteLink(l)) removed.push(l);
  // ovs-netdev is the netdev datapath's own tap; another OVS on this machine may still use it
  if (!otherVswitchdRunning() && (await deleteLink('ovs-netdev'))) removed.push('ovs-netdev');
  return removed;
}

/** Called after ours has stopped, so any ovs-vswitchd still running is somebody else's. */
function otherVswitchdRunning(): boolean {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .some((d) => isRunning(Number(d), 'ovs-vswitchd'));
}

export async function waitLacp(labDir: string, timeoutMs = 15_000): Promise<void> {
  await waitFor('LACP negotiated on bondA and bondB', () => lacpNegotiated(labDir), timeoutMs, 200);
}
