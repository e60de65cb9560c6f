/**
 * The lab for people: `node --import tsx test/lab/cli.ts up|down|status` (npm run lab:up ...).
 * `up` brings the lab up, prints how to reach it and exits; the lab keeps running, held by the
 * lock in /run/netreflex-lab until `down`. `down` also cleans after a crashed lab.
 */
import { Command } from 'commander';
import { NrxError } from '../../src/core/errors.js';
import { DEFAULT_SENSORS } from '../../src/sensors/sensor-host.js';
import { bgpStates } from './frr.js';
import { attachLab, labUp, readLabState, type LabState } from './lab.js';
import { lacpNegotiated } from './ovs.js';
import { readPid, isRunning } from './pids.js';
import { readLock, releaseLock, isStale } from './state.js';
import { teardown } from './teardown.js';
import { startSnmpd } from './snmp.js';
import { registerFault } from './fault-cli.js';
import { wireAppliance } from './wire-appliance.js';
import { LAB_COMPONENTS, parseComponents } from './components.js';
import { readdirSync } from 'node:fs';
import path from 'node:path';

function printLab(s: LabState): void {
  console.log(`lab dir        ${s.dir}`);
  console.log(`inventory      ${s.inventoryDir} (credentials: ${s.credentialsPath}, known_hosts: ${s.knownHostsPath})`);
  console.log(`syslog (5424)  udp 127.0.0.1:${s.syslogPort}`);
  console.log(`sFlow v5       udp 127.0.0.1:${s.sflowPort}`);
  console.log(`LAG            ${s.lag.bridges.join(' + ')}, bonds ${s.lag.bonds.join('/')}, members ${s.lag.members.join(', ')}`);
  for (const r of s.routers) {
    console.log(
      `${r.name.padEnd(7)} AS ${r.asn} netns ${r.netns}  ssh -p ${r.ssh.port} ${r.ssh.username}@127.0.0.1 (password ${r.ssh.password}, key ${r.ssh.privateKeyPath})`,
    );
  }
}

interface UpOptions {
  appliance?: boolean;
  syslogPort?: number;
  trapPort?: number;
  sflowPort?: number;
  dataDir?: string;
  url?: string;
  dir?: string;
  with?: string[];
}

/** The appliance's sensor ports: the flag, else what `netreflex serve` reads from the environment, else its default. */
function applianceTarget(o: UpOptions): { syslogPort: number; trapPort: number; sflowPort: number } {
  const envPort = (name: string, fallback: number): number => {
    const v = process.env[name];
    return v === undefined || v === '' ? fallback : parsePort(v);
  };
  return {
    syslogPort: o.syslogPort ?? envPort('NETREFLEX_SYSLOG_PORT', DEFAULT_SENSORS.syslogUdpPort ?? 5514),
    trapPort: o.trapPort ?? envPort('NETREFLEX_TRAP_PORT', DEFAULT_SENSORS.trapPort ?? 10162),
    sflowPort: o.sflowPort ?? envPort('NETREFLEX_SFLOW_PORT', DEFAULT_SENSORS.sflowPort ?? 6343),
  };
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new NrxError('NRX_ERR_USAGE', `lab: "${v}" is not a UDP port`);
  return n;
}

async function status(): Promise<number> {
  const lock = readLock();
  if (!lock) {
    console.log('no lab is up (no lock in /run/netreflex-lab)');
    return 1;
  }
  console.log(`lock           pid ${lock.pid}, ${lock.mode}, since ${lock.startedAt}${isStale(lock) ? ' (STALE: its process died; run lab:down)' : ''}`);
  const s = readLabState(lock.dir);
  if (!s) {
    console.log(`no lab.json in ${lock.dir}: the lab is still coming up or crashed`);
    return 1;
  }
  printLab(s);
  const pidDir = path.join(s.dir, 'pids');
  const files = readdirSync(pidDir).filter((f) => f.endsWith('.pid'));
  const dead = files.filter((f) => {
    const pid = readPid(path.join(pidDir, f));
    return pid === undefined || !isRunning(pid, f.split('.').at(-2));
  });
  console.log(`processes      ${files.length - dead.length}/${files.length} running${dead.length ? ` (not running: ${dead.join(', ')})` : ''}`);
  for (const r of s.routers) {
    const states = await bgpStates(r.name).catch(() => new Map<string, string>());
    console.log(`bgp ${r.name.padEnd(7)} ${r.neighbors.map((n) => `${n.name}(${n.address})=${states.get(n.address) ?? 'no bgpd'}`).join('  ')}`);
  }
  console.log(`lacp           ${(await lacpNegotiated(s.dir).catch(() => false)) ? 'negotiated' : 'NOT negotiated'}`);
  return dead.length ? 1 : 0;
}

async function down(): Promise<void> {
  const lock = readLock();
  const s = lock ? readLabState(lock.dir) : undefined;
  const report = s ? await attachLab(s).down() : await teardown(lock?.dir);
  if (lock) releaseLock(lock.dir);
  console.log(`stopped     ${report.stopped.length ? report.stopped.join(', ') : '-'}`);
  console.log(`namespaces  ${report.namespaces.join(', ') || '-'}`);
  console.log(`links       ${report.links.join(', ') || '-'}`);
  console.log(`users       ${report.users.join(', ') || '-'}`);
  if (report.foreign.length) console.log(`left alone (not started by the lab):\n  ${report.foreign.join('\n  ')}`);
}

const program = new Command('lab').description('the netreflex live lab: FRR routers, vtysh over SSH, OVS LAG, syslog and sFlow');
program
  .command('up')
  .description('bring the lab up and leave it running (until `down`)')
  .option('--appliance', 'wire it to the appliance: its inventory, credentials and host keys in, syslog/traps/sFlow to its ports')
  .option('--syslog-port <port>', 'UDP port on 127.0.0.1 for relayed syslog (default: a free one; 5514 with --appliance)', parsePort)
  .option('--trap-port <port>', "with --appliance: SNMP traps from leaf1's snmpd to this port (default 10162)", parsePort)
  .option('--sflow-port <port>', 'UDP port on 127.0.0.1 for sFlow (default: a free one; 6343 with --appliance)', parsePort)
  .option('--data-dir <dir>', "with --appliance: the appliance's data directory (default $NETREFLEX_DATA_DIR, else ~/.netreflex)")
  .option('--url <url>', 'with --appliance: import through this API instead (also NETREFLEX_URL or `netreflex login`)')
  .option('--dir <dir>', 'scratch dir for configs and logs (default: a new one under the temp dir; kept)')
  .option('--with <components>', `also start these, comma-separated: ${Object.keys(LAB_COMPONENTS).join(', ')}`, parseComponents)
  .addHelpText(
    'after',
    `
With --appliance the ports default to the appliance's (\`netreflex serve\`): syslog 5514, traps 10162,
sFlow 6343, or NETREFLEX_SYSLOG_PORT / NETREFLEX_TRAP_PORT / NETREFLEX_SFLOW_PORT as serve reads them.

Examples:
  npm run lab:up -- --appliance
  npm run lab:up -- --appliance --data-dir /var/lib/netreflex --syslog-port 1514
  npm run lab:up -- --appliance --with lagsw     (the LAG switch wired in too)
`,
  )
  .action(async (o: UpOptions) => {
    const t0 = Date.now();
    const wired = o.appliance ? applianceTarget(o) : undefined;
    const holder = Number(process.env.NETREFLEX_LAB_HOLDER_PID);
    const lab = await labUp({
      ...(o.dir ? { dir: o.dir } : {}),
      ...((wired?.syslogPort ?? o.syslogPort) ? { syslogPort: wired?.syslogPort ?? o.syslogPort } : {}),
      ...((wired?.sflowPort ?? o.sflowPort) ? { sflowPort: wired?.sflowPort ?? o.sflowPort } : {}),
      // a test that runs this command holds the lab as its own (see lab.ts holderPid)
      ...(Number.isInteger(holder) && holder > 0 ? { mode: 'test' as const, holderPid: holder } : { mode: 'cli' as const }),
      lockWaitMs: Number.isInteger(holder) && holder > 0 ? 300_000 : 0,
    });
    printLab(lab);
    if (wired) {
      try {
        const snmpd = await startSnmpd({ dir: lab.dir, netns: 'nrxlab-leaf1', trapPort: wired.trapPort });
        console.log(`SNMP traps     v2c from leaf1's snmpd (${snmpd.host}) to udp ${snmpd.trapTarget?.host}:${wired.trapPort}`);
        const r = await wireAppliance(lab, { ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.url ? { url: o.url } : {}) });
        if (r.createdDataDir) console.log(`data directory ${r.dataDir} did not exist: made it for the appliance (\`netreflex serve\` uses it too)`);
        console.log(`appliance      ${r.via === 'api' ? `through the API at ${r.url}` : `data directory ${r.dataDir}`}`);
        console.log(`  inventory    ${r.hosts.join(', ')} (platform frr, data.role leaf|spine, data.site lab)`);
        console.log(`  credentials  ${r.credentials.join(', ')} (encrypted)`);
        console.log(`  host keys    ${r.knownHostsFile}`);
        console.log(`  sensors      syslog udp ${wired.syslogPort}, traps udp ${wired.trapPort}, sFlow udp ${wired.sflowPort}`);
      } catch (e) {
        await lab.down();
        throw e;
      }
    }
    for (const name of o.with ?? []) {
      try {
        const target = { ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.url ? { url: o.url } : {}) };
        const ctx = wired ? { appliance: { target, trapPort: wired.trapPort } } : {};
        for (const line of await LAB_COMPONENTS[name]!.start(lab.dir, ctx)) console.log(line);
      } catch (e) {
        await lab.down();
        throw e;
      }
    }
    console.log(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s; \`npm run lab:status\`, \`npm run lab:fault -- --help\`, \`npm run lab:down\``);
  });
registerFault(program);
program.command('down').description('take the lab down (also cleans after a crash)').action(down);
program
  .command('status')
  .description('show the running lab: ports, credentials, BGP and LACP state')
  .action(async () => {
    process.exitCode = await status();
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
