// Builds the native UDP batch reader (udp_batch_reader.c) with node-gyp; `npm ci` runs it (the
// package's install script) and `npm run build:native` runs it again. It never fails the
// install: where it cannot build (not Linux, no C compiler, make or Python, no Node headers),
// it says why and syslog over UDP is read with Node's dgram instead (see docs/syslog.md).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fallback = "syslog over UDP will be read with Node's dgram, one datagram per call (slower under a flood)";

function give_up(why) {
  console.warn(`netreflex: the native UDP batch reader (recvmmsg) was not built: ${why}; ${fallback}.`);
  console.warn('netreflex: to build it, install a C compiler, make and python3, then run `npm run build:native`.');
  process.exit(0);
}

if (process.platform !== 'linux') give_up(`recvmmsg is Linux only (this is ${process.platform})`);

// node-gyp: the one npm brings (npm names it to its scripts), else npm's copy beside this node, else PATH
const nodeGyp = [process.env.npm_config_node_gyp, path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')].find(
  (p) => p && existsSync(p),
);
const args = ['rebuild', '--directory', here];
// build against the headers installed with this node (Debian's nodejs, or a tarball's include/) instead of downloading them
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = nodeGyp
  ? spawnSync(process.execPath, [nodeGyp, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  : spawnSync('node-gyp', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const built = path.join(here, 'build/Release/udp_batch_reader.node');
if (r.status !== 0 || !existsSync(built)) {
  const lines = `${r.error?.message ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => /error|not found|ENOENT/i.test(l));
  rmSync(path.join(here, 'build'), { recursive: true, force: true });
  give_up(lines.slice(0, 3).join(' | ').trim() || `node-gyp exited ${r.status}`);
}
console.log(`netreflex: built the native UDP batch reader (${path.relative(process.cwd(), built)})`);
