// `npm run bench`: every benchmark, a row per result as it is measured, next to the peer run in
// the same process. Arguments pick benches by name: `npm run bench -- rules syslog`. A new bench
// is one line in BENCHES (runner.ts says what an entry may declare).
import { labSkipReason, labUp } from '../lab/lab.js';
import { benchCliStart } from './cli-start.bench.js';
import { benchCluster } from './cluster.bench.js';
import { benchNetconf } from './netconf.bench.js';
import { benchRules } from './rules.bench.js';
import { exitStatus, runBenches, summary, unknownBenches, type BenchTable } from './runner.js';
import { benchSflow } from './sflow.bench.js';
import { benchSnmpTrap } from './snmptrap.bench.js';
import { benchFanOut, benchSsh } from './ssh.bench.js';
import { benchStorm } from './storm.bench.js';
import { benchSyslog } from './syslog.bench.js';
import { benchTextfsm } from './textfsm.bench.js';
import { benchWorkflows } from './workflows.bench.js';
import { benchScenarioBgp } from './scenario-bgp.bench.js';
import { benchScenarioLag } from './scenario-lag.bench.js';
import { benchLogs } from './scenario-logs.bench.js';
import { benchVxlan } from './scenario-vxlan.bench.js';

/** name -> bench; `peers` are the Debian packages of what it is compared with, installed first. */
export const BENCHES: BenchTable = {
  rules: { run: () => [...benchRules(1_000), ...benchRules(10_000)] },
  workflows: { run: () => benchWorkflows() },
  syslog: { run: ({ emit }) => benchSyslog(emit), peers: ['rsyslog'] },
  sflow: { run: ({ emit }) => benchSflow(emit), peers: ['pmacct'] },
  snmptrap: { run: ({ emit }) => benchSnmpTrap(emit), peers: ['snmp', 'snmptrapd'] },
  textfsm: { run: () => benchTextfsm(), peers: ['python3-textfsm'] },
  'cli-start': { run: () => benchCliStart() },
  fanout: { run: () => benchFanOut() },
  storm: { run: () => benchStorm(), peers: ['rsyslog'] },
  // distributed mode on one machine: nats-server and PostgreSQL are what it runs on, not peers to compare with
  cluster: { run: ({ emit }) => benchCluster(emit), peers: ['nats-server', 'postgresql'], skip: clusterSkipReason },
  ssh: { run: ({ emit }) => benchSshOnLab(emit), peers: ['python3-netmiko'], skip: labSkipReason },
  netconf: { run: () => benchNetconf(), peers: ['netconfd', 'openssh-server', 'python3-ncclient'], skip: labSkipReason },
  // the four jobs end to end on the lab (fault -> event -> first action -> repaired or escalated)
  'scenario-bgp': { run: () => benchScenarioBgp(), skip: labSkipReason },
  'scenario-lag': { run: () => benchScenarioLag(), skip: labSkipReason },
  'scenario-logs': { run: ({ emit }) => benchLogs(emit), skip: labSkipReason },
  'scenario-vxlan': { run: ({ emit }) => benchVxlan(emit), skip: labSkipReason },
};

function clusterSkipReason(): string | false {
  return process.platform !== 'linux' || process.getuid?.() !== 0 ? 'needs root on Linux (PostgreSQL runs as user postgres)' : false;
}

async function benchSshOnLab(emit: Parameters<typeof benchSsh>[1]): ReturnType<typeof benchSsh> {
  const lab = await labUp();
  try {
    await lab.waitEstablished('leaf1', undefined, 60_000);
    return await benchSsh(lab, emit);
  } finally {
    await lab.down();
  }
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const names = process.argv.slice(2);
  const unknown = unknownBenches(BENCHES, names);
  if (unknown.length) {
    console.error(`no such bench: ${unknown.join(', ')} (there are: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  const outcome = await runBenches(BENCHES, names);
  console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}; medians of repeated runs`);
  for (const l of summary(outcome)) console.error(l);
  // a bench given up on may hold sockets or children open: the run is over all the same
  process.exit(exitStatus(outcome));
}
