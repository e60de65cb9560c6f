/**
 * FRR per router: zebra, staticd and bgpd in the router's namespace with `-N <netns>` (config in
 * /etc/frr/<netns>, sockets in /var/run/frr/<netns>). Logs go to a file and, through
 * `log extended`, to the router's rsyslog socket. staticd gets its own config without
 * `log extended`: FRR 8.4's staticd aborts on it (an assert in its privilege code).
 */
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run, runIn } from './run.js';
import { neighborsOf, netnsOf, type RouterPlan } from './topology.js';

export const FRR_DAEMONS = ['zebra', 'staticd', 'bgpd'] as const;
export type FrrDaemon = (typeof FRR_DAEMONS)[number];

export interface FrrPaths {
  etcDir: string;
  runDir: string;
  logFile: string;
  frrConf: string;
  staticdConf: string;
  syslogSocket: string;
}

export function frrPaths(labDir: string, router: string): FrrPaths {
  const ns = netnsOf(router);
  const etcDir = `/etc/frr/${ns}`;
  return {
    etcDir,
    runDir: `/var/run/frr/${ns}`,
    logFile: path.join(labDir, 'frr', router, 'frr.log'),
    frrConf: path.join(etcDir, 'frr.conf'),
    staticdConf: path.join(etcDir, 'staticd.conf'),
    syslogSocket: path.join(labDir, 'syslog', `${router}.sock`),
  };
}

export function frrConfig(r: RouterPlan, p: FrrPaths): string {
  const lines = [
    'frr defaults traditional',
    `hostname ${r.name}`,
    `log file ${p.logFile} informational`,
    'log timestamp precision 3',
    `log extended ${r.name}-relay`,
    ` destination unix ${p.syslogSocket} format local-syslogd`,
    '!',
    `router bgp ${r.asn}`,
    ` bgp router-id ${r.loopback}`,
    // the traditional profile turns neighbor-change logging off; %ADJCHANGE is what the tests read
    ' bgp log-neighbor-changes',
    ' no bgp ebgp-requires-policy',
    ' timers bgp 3 9',
  ];
  for (const n of neighborsOf(r.name)) {
    lines.push(` neighbor ${n.address} remote-as ${n.asn}`, ` neighbor ${n.address} description ${n.name}`, ` neighbor ${n.address} timers connect 2`);
  }
  lines.push(' address-family ipv4 unicast', `  network ${r.loopback}/32`, ' exit-address-family', '!', 'line vty', '!', '');
  return lines.join('\n');
}

export function staticdConfig(r: RouterPlan, p: FrrPaths): string {
  return [`hostname ${r.name}`, `log file ${p.logFile} informational`, 'log timestamp precision 3', ''].join('\n');
}

/** Writes /etc/frr/<netns>/{frr,staticd,vtysh}.conf, group-writable so `write memory` over SSH works. */
export function writeFrrFiles(labDir: string, r: RouterPlan, frrUid: number, frrGid: number): FrrPaths {
  const p = frrPaths(labDir, r.name);
  for (const d of [p.etcDir, p.runDir, path.dirname(p.logFile)]) {
    mkdirSync(d, { recursive: true });
    chownSync(d, frrUid, frrGid);
    chmodSync(d, 0o770);
  }
  const files: Array<[string, string]> = [
    [p.frrConf, frrConfig(r, p)],
    [p.staticdConf, staticdConfig(r, p)],
    // hostname here is what makes the vtysh prompt "leaf1#" instead of the machine's name
    [path.join(p.etcDir, 'vtysh.conf'), `service integrated-vtysh-config\nhostname ${r.name}\n`],
  ];
  for (const [file, text] of files) {
    writeFileSync(file, text, { mode: 0o660 });
    chownSync(file, frrUid, frrGid);
    chmodSync(file, 0o660);
  }
  return p;
}

export async function startDaemon(labDir: string, router: string, daemon: FrrDaemon): Promise<void> {
  const ns = netnsOf(router);
  const p = frrPaths(labDir, router);
  const conf = daemon === 'staticd' ? p.staticdConf : p.frrConf;
  const pidfile = pidfilePath(path.join(labDir, 'pids'), router, daemon);
  rmSync(pidfile, { force: true });
  // -d daemonizes once the config is read; -P 0: no TCP vty, vtysh uses the unix sockets
  await runIn(ns, `/usr/lib/frr/${daemon}`, ['-d', '-N', ns, '-f', conf, '-i', pidfile, '-P', '0']);
}

export async function startRouter(labDir: string, router: string): Promise<void> {
  for (const d of FRR_DAEMONS) await startDaemon(labDir, router, d);
}

export async function stopDaemon(labDir: string, router: string, daemon: FrrDaemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  const pid = readPid(pidfilePath(path.join(labDir, 'pids'), router, daemon));
  return pid !== undefined && (await stopPid(pid, daemon, { signal }));
}

export function removeFrrFiles(router: string): void {
  const ns = netnsOf(router);
  rmSync(`/etc/frr/${ns}`, { recursive: true, force: true });
  rmSync(`/var/run/frr/${ns}`, { recursive: true, force: true });
}

export async function vtysh(router: string, commands: string[]): Promise<string> {
  const r = await run('vtysh', ['-N', netnsOf(router), ...commands.flatMap((c) => ['-c', c])], { allowFail: true, timeoutMs: 20_000 });
  if (r.code !== 0 && !r.stdout.trim()) {
    throw new NrxError('NRX_ERR_RUNNER_FAILED', `lab: vtysh on ${router} failed (exit ${r.code}) for ${JSON.stringify(commands)}: ${r.stderr.trim()}`);
  }
  return r.stdout + r.stderr;
}

/** BGP FSM state per neighbor address, from `show ip bgp neighbors json`. */
export async function bgpStates(router: string): Promise<Map<string, string>> {
  const out = await run('vtysh', ['-N', netnsOf(router), '-c', 'show ip bgp neighbors json'], { timeoutMs: 10_000 });
  const doc = JSON.parse(out.stdout) as Record<string, { bgpState?: string }>;
  return new Map(Object.entries(doc).map(([addr, n]) => [addr, n.bgpState ?? 'unknown']));
}
