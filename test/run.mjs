#!/usr/bin/env node
// The test command (`npm test`): format check (prettier), type-check, then every test/**/*.test.ts under node's test
// runner with tsx. Arguments narrow the run to files or folders: `npm test -- test/rules`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

function collect(p, out) {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== 'node_modules' && e !== 'fixtures') collect(path.join(p, e), out);
  } else if (p.endsWith('.test.ts')) out.push(p);
  return out;
}

const args = process.argv.slice(2);
const files = (args.length ? args : ['test']).flatMap((a) => collect(a, []));
if (!args.length) {
  // Layout is checked like types: `npm run format` fixes what this refuses.
  const fmt = spawnSync(
    process.execPath,
    ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', 'src/**/*.ts', 'drivers/**/*.ts', 'test/**/*.{ts,mjs}'],
    { stdio: 'inherit' },
  );
  if (fmt.status !== 0) {
    console.error('format check failed: run `npm run format`');
    process.exit(1);
  }
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/tsconfig.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('type check failed');
    process.exit(1);
  }
}
const concurrency = process.env.NETREFLEX_TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NETREFLEX_LOG_LEVEL: process.env.NETREFLEX_LOG_LEVEL ?? 'silent' },
});
process.exit(r.status ?? 1);
