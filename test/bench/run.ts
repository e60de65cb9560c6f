// `npm run bench`: every benchmark, medians, and ratios against the peer run in the same process.
// Arguments pick benches by name: `npm run bench -- rules`.
import { benchRules } from './rules.bench.js';
import { fmt, type BenchResult } from './stats.js';
import { benchWorkflows } from './workflows.bench.js';

const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);

const results: BenchResult[] = [];
if (want('rules')) {
  results.push(...benchRules(1_000));
  results.push(...benchRules(10_000));
}
if (want('workflows')) results.push(...(await benchWorkflows()));

const rows = results.map((r) => ({
  bench: r.name,
  median: `${fmt(r.value)} ${r.unit}`,
  peer: r.peer ? `${fmt(r.peer.value)} (${r.peer.name})` : '',
  ratio: r.peer ? `${(r.value / r.peer.value).toFixed(2)}x` : '',
  goal: r.goal ?? '',
}));
const cols = ['bench', 'median', 'peer', 'ratio', 'goal'] as const;
const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(cols.map((c, i) => r[c].padEnd(widths[i]!)).join(' | '));
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}; medians of repeated runs`);
