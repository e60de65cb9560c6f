import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * How tests start the netreflex CLI as a process. `npm ci` builds the TypeScript into dist/
 * (the `prepare` script), and the built entry starts in a fraction of the time tsx needs to
 * compile the appliance on every start: the tests use it while it is newer than every source
 * file, and the TypeScript through tsx otherwise (a source file edited since the last build).
 * NRX_TEST_CLI=tsx or =dist chooses.
 */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const BUILT = path.join(ROOT, 'dist/src/cli/main.js');
const SOURCE = path.join(ROOT, 'src/cli/main.ts');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.tsx?$/.test(e.name) || e.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function builtIsCurrent(): boolean {
  if (!existsSync(BUILT)) return false;
  const source = Math.max(newestSource(path.join(ROOT, 'src')), newestSource(path.join(ROOT, 'drivers')), statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs);
  return statSync(BUILT).mtimeMs >= source;
}

let chosen: string[] | null = null;

/** Node's arguments before the CLI's own: `[entry]` or `['--import', 'tsx', entry]`. */
export function cliEntry(): readonly string[] {
  if (chosen) return chosen;
  const want = process.env.NRX_TEST_CLI;
  const built = want === 'dist' || (want !== 'tsx' && builtIsCurrent());
  chosen = built ? [BUILT] : ['--import', 'tsx', SOURCE];
  return chosen;
}
