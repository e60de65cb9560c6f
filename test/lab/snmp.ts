/**
 * An SNMP agent for the lab: net-snmp's snmpd answering v2c (communities `public` read-only and
 * `private` read-write) and v3 authPriv (SHA/AES, read-write), sending linkUp/linkDown traps
 * to a UDP port when asked. Debian ships no IETF MIBs, so every OID in the config is numeric.
 *
 * Without netns: the agent listens on 127.0.0.1:<free port> in the root namespace.
 * With netns: snmpd runs inside that namespace (so it sees the router's interfaces) and a veth
 * pair joins it to the root namespace: the agent is at <veth ns-side address>:161 and traps go to
 * the root-side address, where a collector on 0.0.0.0/<that address> hears them.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { ensurePackages } from './packages.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run, runIn, waitFor } from './run.js';

export const SNMP_PACKAGES = ['snmpd', 'snmp'];

export interface SnmpLab {
  /** Where the agent answers. */
  host: string;
  port: number;
  community: string;
  writeCommunity: string;
  v3: { user: string; authProtocol: 'sha'; authKey: string; privProtocol: 'aes'; privKey: string };
  /** sysName the agent reports (configured, so read-only). */
  sysName: string;
  /** Where traps are sent, when trapPort was given. */
  trapTarget?: { host: string; port: number };
  netns?: string;
  dir: string;
  stop(): Promise<void>;
}

export interface StartSnmpdOptions {
  dir: string;
  /** Run inside this network namespace (created by the caller). */
  netns?: string;
  /** Send v2c traps (coldStart, linkUp, linkDown) to this UDP port. */
  trapPort?: number;
  /** How often snmpd polls ifOperStatus for link traps, seconds (default 1). */
  linkPollSeconds?: number;
}

/** A UDP port nobody is bound to on 127.0.0.1 right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startSnmpd(opts: StartSnmpdOptions): Promise<SnmpLab> {
  await ensurePackages(SNMP_PACKAGES);
  const pidDir = path.join(opts.dir, 'pids');
  let host = '127.0.0.1';
  let port: number;
  let trapHost = '127.0.0.1';
  let veth: string | undefined;
  if (opts.netns) {
    // A /30 in 10.254.<k>.0 per namespace; k picked from the veth names in use.
    const k = await freeVethIndex();
    veth = `nrxsnmp${k}r`;
    trapHost = `10.254.${k}.1`;
    host = `10.254.${k}.2`;
    port = 161;
    await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `nrxsnmp${k}n`]);
    await run('ip', ['link', 'set', `nrxsnmp${k}n`, 'netns', opts.netns]);
    await run('ip', ['addr', 'add', `${trapHost}/30`, 'dev', veth]);
    await run('ip', ['link', 'set', veth, 'up']);
    await run('ip', ['-n', opts.netns, 'addr', 'add', `${host}/30`, 'dev', `nrxsnmp${k}n`]);
    await run('ip', ['-n', opts.netns, 'link', 'set', `nrxsnmp${k}n`, 'up']);
    await run('ip', ['-n', opts.netns, 'link', 'set', 'lo', 'up']);
  } else {
    port = await freeUdpPort();
  }
  const tag = `snmp${port}${opts.netns ? `-${opts.netns}` : ''}`;
  const base = path.join(opts.dir, 'snmp', tag);
  mkdirSync(path.join(base, 'persist'), { recursive: true });
  mkdirSync(pidDir, { recursive: true });
  const sysName = opts.netns ? opts.netns : 'nrx-lab-agent';
  const lab: Omit<SnmpLab, 'stop'> = {
    host,
    port,
    community: 'public',
    writeCommunity: 'private',
    v3: { user: 'nrxv3', authProtocol: 'sha', authKey: 'nrx-auth-pass1', privProtocol: 'aes', privKey: 'nrx-priv-pass1' },
    sysName,
    dir: base,
    ...(opts.trapPort !== undefined ? { trapTarget: { host: trapHost, port: opts.trapPort } } : {}),
    ...(opts.netns ? { netns: opts.netns } : {}),
  };
  const poll = opts.linkPollSeconds ?? 1;
  const conf = [
    `agentaddress udp:${host}:${port}`,
    `rocommunity public ${opts.netns ? `${trapHost}/32` : '127.0.0.1'}`,
    `rwcommunity private ${opts.netns ? `${trapHost}/32` : '127.0.0.1'}`,
    `createUser ${lab.v3.user} SHA "${lab.v3.authKey}" AES "${lab.v3.privKey}"`,
    `rwuser ${lab.v3.user} priv`,
    'createUser internalUser',
    'rouser internalUser noauth',
    'iquerySecName internalUser',
    `sysName ${sysName}`,
    'sysLocation netreflex lab',
    // sysContact is left unset so that it stays writable (a configured object is read-only).
    ...(opts.trapPort !== undefined
      ? [
          `trap2sink udp:${trapHost}:${opts.trapPort} public`,
          // linkUp / linkDown with ifIndex, ifAdminStatus, ifOperStatus (IF-MIB by number)
          'notificationEvent linkUpTrap .1.3.6.1.6.3.1.1.5.4 .1.3.6.1.2.1.2.2.1.1 .1.3.6.1.2.1.2.2.1.7 .1.3.6.1.2.1.2.2.1.8',
          'notificationEvent linkDownTrap .1.3.6.1.6.3.1.1.5.3 .1.3.6.1.2.1.2.2.1.1 .1.3.6.1.2.1.2.2.1.7 .1.3.6.1.2.1.2.2.1.8',
          // -S: no traps for interfaces already down at start
          `monitor -r ${poll} -S -e linkUpTrap "Generate linkUp" .1.3.6.1.2.1.2.2.1.8 != 2`,
          `monitor -r ${poll} -S -e linkDownTrap "Generate linkDown" .1.3.6.1.2.1.2.2.1.8 == 2`,
        ]
      : []),
    '',
  ].join('\n');
  const confPath = path.join(base, 'snmpd.conf');
  writeFileSync(confPath, conf);
  const pidFile = pidfilePath(pidDir, tag, 'snmpd');
  const args = ['-C', '-c', confPath, '-p', pidFile, '-Lf', path.join(base, 'snmpd.log')];
  const env = { ...process.env, SNMP_PERSISTENT_DIR: path.join(base, 'persist'), MIBS: '' };

  const stop = async (): Promise<void> => {
    const pid = readPid(pidFile);
    if (pid !== undefined) await stopPid(pid, 'snmpd');
    if (veth) await run('ip', ['link', 'del', veth], { allowFail: true });
  };
  try {
    if (opts.netns) await runIn(opts.netns, '/usr/sbin/snmpd', args, { env });
    else await run('/usr/sbin/snmpd', args, { env });
    await waitFor(`snmpd pidfile ${pidFile}`, () => existsSync(pidFile), 5000, 20);
    const probe = ['-m', '', '-v2c', '-c', 'public', '-t', '0.3', '-r', '0', `${host}:${port}`, '1.3.6.1.2.1.1.5.0'];
    await waitFor(`snmpd answering on ${host}:${port}`, async () => (await run('snmpget', probe, { allowFail: true, env })).code === 0, 10_000, 50);
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...lab, stop };
}

async function freeVethIndex(): Promise<number> {
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
  for (let k = 1; k < 250; k++) if (!links.includes(`nrxsnmp${k}r`)) return k;
  throw new Error('no free nrxsnmp<k> veth index');
}
