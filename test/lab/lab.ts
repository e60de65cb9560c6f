/**
 * The live lab (issue 4): three FRR routers in network namespaces (leaf1 AS 65001, leaf2 AS 65002,
 * spine1 AS 65000, eBGP leaf<->spine), vtysh behind OpenSSH per router, FRR syslog relayed as
 * RFC 5424 over UDP, an OVS LACP bond between two bridges with sFlow export, and fault injection.
 * One lab per machine at a time (state.ts); see test/lab/README.md.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { bgpStates, startDaemon, startRouter, stopDaemon, vtysh, writeFrrFiles } from './frr.js';
import { labSkipReason } from './guard.js';
import { writeInventory } from './inventory.js';
import { addNamespace, cable, setLink } from './namespaces.js';
import { appctl, buildLag, lacpNegotiated, setMember, startOvs, vsctl, waitLacp } from './ovs.js';
import { ensurePackages, LAB_PACKAGES } from './packages.js';
import { run, waitFor, type RunResult } from './run.js';
import { enableSflow, startSampleTraffic } from './sflow.js';
import { clientKey, startSsh, type RouterSsh } from './ssh.js';
import { acquireLock, releaseLock, type LabLock } from './state.js';
import { startSyslogRelay } from './syslog.js';
import { removeLabDir, teardown, type TeardownReport } from './teardown.js';
import { LINKS, neighborsOf, netnsOf, OVS, ROUTERS, type RouterName } from './topology.js';

export { labSkipReason } from './guard.js';
export { labGuard, labTestGuard } from './guard.js';

export interface LabRouter {
  name: RouterName;
  netns: string;
  asn: number;
  routerId: string;
  loopback: string;
  ssh: RouterSsh;
  neighbors: Array<{ address: string; asn: number; name: string }>;
}

/** What lab.json records: enough for `lab:status` / `lab:down` in another process. */
export interface LabState {
  dir: string;
  /** The lab made its dir (and removes it on down); false when the caller passed one. */
  ownsDir: boolean;
  routers: LabRouter[];
  syslogPort: number;
  sflowPort: number;
  inventoryDir: string;
  credentialsPath: string;
  knownHostsPath: string;
  lag: { bridges: string[]; bonds: string[]; members: string[] };
}

export interface Lab extends LabState {
  fault: {
    shutdownPeer(router: string, peer: string): Promise<void>;
    noShutdownPeer(router: string, peer: string): Promise<void>;
    linkDown(router: string, ifname: string): Promise<void>;
    linkUp(router: string, ifname: string): Promise<void>;
    killBgpd(router: string): Promise<void>;
    startBgpd(router: string): Promise<void>;
    lagMemberDown(member: string): Promise<void>;
    lagMemberUp(member: string): Promise<void>;
  };
  vtysh(router: string, ...commands: string[]): Promise<string>;
  waitEstablished(router: string, peer?: string, timeoutMs?: number): Promise<void>;
  /** Not in the contract: OVS tools bound to the lab's own database and vswitchd. */
  ovs: { vsctl(...args: string[]): Promise<RunResult>; appctl(...args: string[]): Promise<RunResult>; lacpNegotiated(): Promise<boolean> };
  down(): Promise<TeardownReport>;
}

export interface LabUpOptions {
  syslogPort?: number;
  /** The routers' syslog is also copied to these UDP ports (several sensor nodes hearing one router). */
  syslogCopyPorts?: number[];
  sflowPort?: number;
  dir?: string;
  /** How long to wait for another test's lab to go down (default 300 s). */
  lockWaitMs?: number;
  /** 'cli' keeps the lock after this process exits, until `lab:down`. */
  mode?: LabLock['mode'];
  /**
   * The process the lab belongs to (default this one). A test that runs `lab:up` as a child
   * names itself, so other tests wait for its lab and clean it if the test dies.
   */
  holderPid?: number;
}

export const LAB_STATE_FILE = 'lab.json';
const AUTO_DIR_PREFIX = 'netreflex-lab-';

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function frrIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'frr'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'frr'])).stdout.trim());
  return { uid, gid };
}

/** Scratch layout; the dir is world-traversable because FRR (user frr) and the SSH users read in it. */
function prepareDir(dir: string, frr: { uid: number; gid: number }): void {
  chmodSync(dir, 0o755);
  for (const sub of ['pids', 'bin', 'ssh', 'syslog', 'frr', 'inventory']) mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o755 });
  // FRR daemons write their own pidfiles after dropping to user frr
  chownSync(path.join(dir, 'pids'), frr.uid, frr.gid);
  chmodSync(path.join(dir, 'pids'), 0o775);
}

async function wire(): Promise<void> {
  for (const r of ROUTERS) {
    await addNamespace(netnsOf(r.name));
    await run('ip', ['-n', netnsOf(r.name), 'addr', 'add', `${r.loopback}/32`, 'dev', 'lo']);
  }
  for (const l of LINKS) {
    await cable(
      { netns: netnsOf(l.a), ifname: l.aIf, address: `${l.aAddr}/${l.prefixLen}` },
      { netns: netnsOf(l.b), ifname: l.bIf, address: `${l.bAddr}/${l.prefixLen}` },
    );
  }
  for (const h of OVS.hosts) await addNamespace(h.netns);
}

/** Brings the whole lab up; on any failure it cleans what it made and rethrows. */
export async function labUp(opts: LabUpOptions = {}): Promise<Lab> {
  const skip = labSkipReason();
  if (skip) throw new NrxError('NRX_ERR_CONFIG', `lab: cannot start: ${skip}`);
  await ensurePackages(LAB_PACKAGES);
  // a test's scratch dir goes with its lab; a person's (lab:up) keeps its logs for reading
  const ownsDir = opts.dir === undefined && (opts.mode ?? 'test') === 'test';
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), AUTO_DIR_PREFIX));
  mkdirSync(dir, { recursive: true });
  try {
    await acquireLock(
      dir,
      opts.mode ?? 'test',
      opts.lockWaitMs ?? 300_000,
      async (stale) => {
        await teardown(stale.dir);
        // a crashed test's own scratch dir goes too (lab.json may not have been written yet)
        const owned = readLabState(stale.dir)?.ownsDir ?? path.basename(stale.dir).startsWith(AUTO_DIR_PREFIX);
        if (owned && path.dirname(stale.dir) === os.tmpdir()) removeLabDir(stale.dir);
      },
      opts.holderPid,
    );
  } catch (e) {
    if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  try {
    await teardown(dir); // a previous lab in this dir (or with these names) may have crashed
    const frr = await frrIds();
    prepareDir(dir, frr);
    const syslogPort = opts.syslogPort ?? (await freeUdpPort());
    const sflowPort = opts.sflowPort ?? (await freeUdpPort());
    await wire();
    await startSyslogRelay(
      dir,
      ROUTERS.map((r) => r.name),
      syslogPort,
      opts.syslogCopyPorts ?? [],
    );
    for (const r of ROUTERS) writeFrrFiles(dir, r, frr.uid, frr.gid);
    await Promise.all(ROUTERS.map((r) => startRouter(dir, r.name)));
    const key = await clientKey(dir);
    const ssh: Record<string, RouterSsh> = {};
    for (const r of ROUTERS) ssh[r.name] = await startSsh(dir, r.name, key.privateKeyPath, key.publicKey);
    await startOvs(dir, syslogPort);
    await buildLag(dir);
    await enableSflow(dir, sflowPort);
    startSampleTraffic(dir);
    const files = writeInventory(dir, ssh);
    const state: LabState = {
      dir,
      ownsDir,
      routers: ROUTERS.map((r) => ({
        name: r.name,
        netns: netnsOf(r.name),
        asn: r.asn,
        routerId: r.loopback,
        loopback: r.loopback,
        ssh: ssh[r.name] as RouterSsh,
        neighbors: neighborsOf(r.name).map((n) => ({ address: n.address, asn: n.asn, name: n.name })),
      })),
      syslogPort,
      sflowPort,
      ...files,
      lag: { bridges: [OVS.bridgeA, OVS.bridgeB], bonds: [OVS.bondA, OVS.bondB], members: [...OVS.members] },
    };
    writeFileSync(path.join(dir, LAB_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    const lab = attachLab(state);
    await Promise.all([...ROUTERS.map((r) => lab.waitEstablished(r.name, undefined, 30_000)), waitLacp(dir)]);
    return lab;
  } catch (e) {
    await teardown(dir).catch(() => undefined);
    releaseLock(dir);
    if (ownsDir) removeLabDir(dir);
    throw e;
  }
}

/** Reads lab.json of a running lab (for the CLI's status and down). */
export function readLabState(dir: string): LabState | undefined {
  const file = path.join(dir, LAB_STATE_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LabState) : undefined;
}

/** The Lab object for recorded state: fault injection, vtysh, waits and down. */
export function attachLab(state: LabState): Lab {
  const router = (name: string): LabRouter => {
    const r = state.routers.find((x) => x.name === name);
    if (!r) throw new NrxError('NRX_ERR_NOT_FOUND', `lab: no router "${name}" (routers: ${state.routers.map((x) => x.name).join(', ')})`);
    return r;
  };
  /** A peer given by neighbor name ("spine1") or address ("10.0.1.1"). */
  const peerAddress = (r: LabRouter, peer: string): string => {
    const n = r.neighbors.find((x) => x.name === peer || x.address === peer);
    if (!n)
      throw new NrxError(
        'NRX_ERR_NOT_FOUND',
        `lab: ${r.name} has no BGP neighbor "${peer}" (neighbors: ${r.neighbors.map((x) => `${x.name}=${x.address}`).join(', ')})`,
      );
    return n.address;
  };
  const ifnameOf = (r: LabRouter, ifname: string): string => {
    const known = neighborsOf(r.name).map((n) => n.ifname);
    if (!known.includes(ifname)) throw new NrxError('NRX_ERR_NOT_FOUND', `lab: ${r.name} has no interface "${ifname}" (interfaces: ${known.join(', ')})`);
    return ifname;
  };
  const configurePeer = async (name: string, peer: string, shut: boolean): Promise<void> => {
    const r = router(name);
    const addr = peerAddress(r, peer);
    const out = await vtysh(r.name, ['configure terminal', `router bgp ${r.asn}`, `${shut ? '' : 'no '}neighbor ${addr} shutdown`, 'end']);
    if (/%\s/.test(out)) throw new NrxError('NRX_ERR_RUNNER_FAILED', `lab: ${shut ? '' : 'no '}neighbor ${addr} shutdown on ${name} failed: ${out.trim()}`);
  };
  const lab: Lab = {
    ...state,
    fault: {
      shutdownPeer: (r, peer) => configurePeer(r, peer, true),
      noShutdownPeer: (r, peer) => configurePeer(r, peer, false),
      linkDown: async (r, ifname) => setLink(router(r).netns, ifnameOf(router(r), ifname), 'down'),
      linkUp: async (r, ifname) => setLink(router(r).netns, ifnameOf(router(r), ifname), 'up'),
      killBgpd: async (r) => {
        router(r);
        if (!(await stopDaemon(state.dir, r, 'bgpd', 'SIGKILL'))) throw new NrxError('NRX_ERR_NOT_FOUND', `lab: bgpd on ${r} is not running`);
      },
      startBgpd: async (r) => startDaemon(state.dir, router(r).name, 'bgpd'),
      lagMemberDown: (m) => setMember(m, 'down'),
      lagMemberUp: (m) => setMember(m, 'up'),
    },
    vtysh: (r, ...commands) => vtysh(router(r).name, commands),
    waitEstablished: async (name, peer, timeoutMs = 20_000) => {
      const r = router(name);
      const wanted = peer === undefined ? r.neighbors.map((n) => n.address) : [peerAddress(r, peer)];
      await waitFor(
        `BGP Established on ${name} with ${wanted.join(', ')}`,
        async () => {
          const states = await bgpStates(name);
          return wanted.every((a) => states.get(a) === 'Established');
        },
        timeoutMs,
        100,
      );
    },
    ovs: {
      vsctl: (...args) => vsctl(state.dir, args),
      appctl: (...args) => appctl(state.dir, args),
      lacpNegotiated: () => lacpNegotiated(state.dir),
    },
    down: async () => {
      const report = await teardown(state.dir);
      releaseLock(state.dir);
      if (state.ownsDir) removeLabDir(state.dir);
      return report;
    },
  };
  return lab;
}
