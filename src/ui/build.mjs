// Builds the web UI into dist/ui with esbuild (already a dependency of tsx, so `npm ci` downloads
// nothing more for it): one bundled, minified script and stylesheet, and the page that loads them.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.resolve(here, '../../dist/ui');
// built beside the target and swapped in, so a running appliance never serves half a build
const out = `${target}.building-${process.pid}`;
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });
const started = Date.now();
await build({
  entryPoints: { app: path.join(here, 'main.tsx') },
  outdir: path.join(out, 'assets'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  legalComments: 'linked',
});
copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));
const old = `${target}.old-${process.pid}`;
if (existsSync(target)) renameSync(target, old);
renameSync(out, target);
rmSync(old, { recursive: true, force: true });
if (!process.env.npm_lifecycle_event?.startsWith('prepare')) process.stderr.write(`web UI built into ${target} in ${Date.now() - started} ms\n`);
