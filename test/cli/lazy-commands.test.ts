import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { CLI_MAIN } from './cli-harness.js';

/**
 * `netreflex --help`, `parse` and `decode` start fast because they load no command module but
 * their own: here the heavy packages (the store's SQLite, the API server, SSH, logging) cannot
 * be loaded at all, and those commands still work. Start time itself is measured by
 * test/bench/cli-start.bench.ts, not asserted.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'nrx-lazy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const HEAVY = ['better-sqlite3', 'fastify', 'ssh2', 'pino'];
const hook = path.join(dir, 'refuse-heavy.mjs');
writeFileSync(
  hook,
  `export async function resolve(specifier, context, next) {\n  if (${JSON.stringify(HEAVY)}.includes(specifier)) throw new Error('netreflex loaded ' + specifier);\n  return next(specifier, context);\n}\n`,
);
const register = path.join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);

function run(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', register, CLI_MAIN, ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help, parse and decode run without loading the store, the API server, SSH or the logger', () => {
  const help = run(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /execution\|ex/);
  const parse = run(['parse', '--list']);
  assert.equal(parse.code, 0, parse.stderr);
  const decode = run(['decode', 'syslog'], '<189>1 2026-01-01T00:00:00Z r1 bgpd - - - %ADJCHANGE: neighbor 10.0.12.2 Down BGP Notification\n');
  assert.equal(decode.code, 0, decode.stderr);
  assert.match(decode.stdout, /network\.bgp_peer_state_changed/);
});

test('the refusal is real: a command that needs the store fails under the same hook', () => {
  const r = run(['trigger', 'list', '--data-dir', dir]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /netreflex loaded (better-sqlite3|fastify|ssh2|pino)/);
});
