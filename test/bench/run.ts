// `npm run bench`: every benchmark, medians, and ratios against the peer run in the same process.
// Arguments pick benches by name: `npm run bench -- rules`.
import { benchRules } from './rules.bench.js';
import { fmt, type BenchResult } from './stats.js';
import { benchWorkflows } from './workflows.bench.js';
import { benchNetconf } from './netconf.bench.js';
import { benchFanOut, benchSsh } from './ssh.bench.js';
import { benchSyslog } from './syslog.bench.js';
import { benchSflow } from './sflow.bench.js';
import { benchSnmpTrap } from './snmptrap.bench.js';
import { benchTextfsm } from './textfsm.bench.js';
import { benchCliStart } from './cli-start.bench.js';
import { benchStorm } from './storm.bench.js';
import { labSkipReason, labUp } from '../lab/lab.js';

const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);

const results: BenchResult[] = [];
if (want('rules')) {
  results.push(...benchRules(1_000));
  results.push(...benchRules(10_000));
}
if (want('workflows')) results.push(...(await benchWorkflows()));
if (want('syslog')) results.push(...(await benchSyslog()));
if (want('sflow')) results.push(...(await benchSflow()));
if (want('snmptrap')) results.push(...(await benchSnmpTrap()));
if (want('textfsm')) results.push(...(await benchTextfsm()));
if (want('cli-start')) results.push(...(await benchCliStart()));
if (want('fanout')) results.push(...(await benchFanOut()));
if (want('storm')) results.push(...(await benchStorm()));
const noLab = labSkipReason();
if (noLab && (want('ssh') || want('netconf'))) console.error(`skipping the ssh and netconf benchmarks: ${noLab}`);
if (!noLab && want('ssh')) {
  const lab = await labUp();
  try {
    await lab.waitEstablished('leaf1', undefined, 60_000);
    results.push(...(await benchSsh(lab)));
  } finally {
    await lab.down();
  }
}
if (!noLab && want('netconf')) results.push(...(await benchNetconf()));

const TIME_UNITS = new Set(['ms', 's', 'µs', 'ms wall', 's wall']);
const rows = results.map((r) => ({
  bench: r.name,
  median: `${fmt(r.value)} ${r.unit}`,
  peer: r.peer ? `${fmt(r.peer.value)} (${r.peer.name})` : '',
  // for times lower is better: say how many times faster than the peer
  ratio: r.peer ? (TIME_UNITS.has(r.unit) ? `${(r.peer.value / r.value).toFixed(2)}x faster` : `${(r.value / r.peer.value).toFixed(2)}x`) : '',
  goal: r.goal ?? '',
}));
const cols = ['bench', 'median', 'peer', 'ratio', 'goal'] as const;
const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(cols.map((c, i) => r[c].padEnd(widths[i]!)).join(' | '));
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}; medians of repeated runs`);
