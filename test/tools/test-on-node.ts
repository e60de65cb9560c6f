// `npm run test:node22 [-- files]`, or `node --import tsx test/tools/test-on-node.ts MAJOR [files]`:
// the test suite on another Node.js major, next to the one installed. The registry's `node`
// package ships the binaries (and the headers better-sqlite3 is compiled against); a copy of the
// project under node_modules/.cache gets its own node_modules, built by that Node, so the
// checkout's own stays as it is. Node 24 is not supported: better-sqlite3 12 (the last major
// that runs on Node 20) aborts there when a statement is garbage-collected.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const major = process.argv[2];
if (!major || !/^\d+$/.test(major)) {
  console.error('usage: node --import tsx test/tools/test-on-node.ts MAJOR [test files or folders...]');
  process.exit(2);
}
const args = process.argv.slice(3);
const root = path.resolve(import.meta.dirname, '..', '..');
const cache = path.join(root, 'node_modules', '.cache', `netreflex-node${major}`);
const runtime = path.join(cache, 'runtime');
const app = path.join(cache, 'app');

function run(cmd: string, argv: string[], opts: SpawnSyncOptions): void {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`test-on-node: \`${cmd} ${argv.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

// 1. The Node.js binary and headers, from the registry's `node` package.
const nodeBin = path.join(runtime, 'node_modules', 'node', 'bin', 'node');
if (!existsSync(nodeBin)) {
  mkdirSync(runtime, { recursive: true });
  // the package's preinstall fetches the platform's binary package (also from the registry)
  writeFileSync(path.join(runtime, 'package.json'), '{"private":true,"allowScripts":{"node":true}}\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', `node@${major}`], { cwd: runtime });
}
const version = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const headers = path.join(runtime, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
const env = {
  ...process.env,
  PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
  // node-gyp builds native addons (better-sqlite3) against this Node's headers, offline
  npm_config_nodedir: headers,
};

// 2. The project's sources, copied fresh each run.
mkdirSync(app, { recursive: true });
for (const entry of [
  'src',
  'drivers',
  'native',
  'test',
  'packs',
  'workflows',
  'inventory',
  'docs',
  'README.md',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
]) {
  const to = path.join(app, entry);
  rmSync(to, { recursive: true, force: true });
  if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), to, { recursive: true });
}

// 3. Its dependencies, installed by that Node when the lockfile changed.
const lockHash = createHash('sha256')
  .update(readFileSync(path.join(root, 'package-lock.json')))
  .update(version)
  .digest('hex');
const stamp = path.join(app, 'node_modules', '.netreflex-lock-hash');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  console.log(`test-on-node: installing dependencies with Node.js ${version} (better-sqlite3 is compiled: a few minutes)`);
  // --ignore-scripts skips `prepare` (a build the tests do not need); the native addon is built after
  run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, env });
  run('npm', ['rebuild', 'better-sqlite3', 'esbuild'], { cwd: app, env });
  writeFileSync(stamp, lockHash);
}

// The native UDP reader (the install script that --ignore-scripts skipped), by that Node: a few seconds.
rmSync(path.join(app, 'native', 'build'), { recursive: true, force: true });
run('npm', ['run', 'build:native'], { cwd: app, env });

// 4. The suite (or the files asked for) on that Node.
console.log(`test-on-node: Node.js ${version}`);
const r = spawnSync(nodeBin, ['test/run.mjs', ...args], { cwd: app, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
