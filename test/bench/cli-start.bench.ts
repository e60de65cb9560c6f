/**
 * CLI start time: how long `netreflex --help`, `parse` and `decode` take from exec to exit, on
 * the CLI as users run it (plain node on compiled JavaScript, no tsx). The sources are compiled
 * to a temp directory with esbuild so this does not depend on a stale dist/. A measurement, not a test: the goal (< 300 ms) is printed next to the median.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { median, type BenchResult } from './stats.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/**
 * Compile the CLI into out/ with esbuild: a bundle split at every dynamic import, so each lazily
 * loaded command module stays a chunk of its own and is read only when its command runs, as
 * with tsc's one file per module. npm packages stay outside (node_modules is linked).
 */
async function compile(out: string): Promise<string> {
  await build({
    entryPoints: [path.join(ROOT, 'src/cli/main.ts')],
    outdir: path.join(out, 'cli'),
    bundle: true,
    splitting: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  cpSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules')); // ESM ignores NODE_PATH
  return path.join(out, 'cli/main.js');
}

const CASES: Array<{ name: string; args: string[]; input?: string }> = [
  { name: '--help', args: ['--help'] },
  { name: 'parse --list', args: ['parse', '--list'] },
  { name: 'decode syslog (one line)', args: ['decode', 'syslog'], input: '<189>1 2026-01-01T00:00:00Z r1 bgpd - - - hello\n' },
  { name: 'execution --help', args: ['execution', '--help'] },
];

export async function benchCliStart(rounds = 15): Promise<BenchResult[]> {
  const out = mkdtempSync(path.join(tmpdir(), 'nrx-cli-start-'));
  try {
    const main = await compile(out);
    const results: BenchResult[] = [];
    const nodeAlone: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      nodeAlone.push(performance.now() - t);
    }
    for (const c of CASES) {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [main, ...c.args], { input: c.input ?? '', encoding: 'utf8' });
        times.push(performance.now() - t);
        if (r.status !== 0) throw new Error(`netreflex ${c.args.join(' ')} exited ${r.status}: ${r.stderr}`);
      }
      // the goal is for the commands that need no appliance; execution --help is shown for comparison
      results.push({
        name: `cli start: netreflex ${c.name}`,
        value: median(times),
        unit: 'ms wall',
        ...(c.args[0] === 'execution' ? {} : { goal: '< 300 ms' }),
      });
    }
    // the floor: node itself starting and exiting on this machine now
    results.push({ name: 'cli start: node -e 0 (the floor)', value: median(nodeAlone), unit: 'ms wall' });
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// run on its own: node --import tsx test/bench/cli-start.bench.ts
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  for (const r of await benchCliStart()) console.log(`${r.name.padEnd(45)} ${r.value.toFixed(0)} ms`);
}
