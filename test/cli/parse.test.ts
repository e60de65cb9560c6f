import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerParse } from '../../src/cli/commands/parse.js';

/** Runs the command in a child process so stdin, stdout and the exit code are real. */
function parse(args: string[], input: string): { code: number | null; stdout: string; stderr: string } {
  const script = `import { Command } from 'commander'; import { registerParse } from ${JSON.stringify(join(import.meta.dirname, '../../src/cli/commands/parse.ts'))};
const p = new Command(); registerParse(p); p.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2)); await p.parseAsync(process.argv);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'node', 'parse', ...args], { input, encoding: 'utf8', cwd: join(import.meta.dirname, '../..') });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FRR_ADMIN = readFileSync(join(import.meta.dirname, '../drivers/fixtures/frr/bgp_neighbors/admin_down/show_ip_bgp_summary.txt'), 'utf8');

test('parse prints the BGP neighbors model for a BGP summary read from stdin', () => {
  const r = parse(['frr', 'show', 'ip', 'bgp', 'summary'], FRR_ADMIN);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { getter: string; neighbors: Array<Record<string, unknown>> };
  assert.equal(out.getter, 'bgp_neighbors');
  assert.deepEqual(out.neighbors.map((n) => [n.peer, n.remoteAs, n.state, n.adminDown]), [['10.0.12.2', 65002, 'idle', true]]);
});

test('an unknown platform or command exits 2 with a message naming it', () => {
  const p = parse(['vyos', 'show', 'bgp'], '');
  assert.equal(p.code, 2);
  assert.match(p.stderr, /unknown platform 'vyos'/);
  const c = parse(['frr', 'show', 'ip', 'ospf', 'neighbor'], 'x');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /no parser for 'show ip ospf neighbor'/);
});

test('the command registers with its arguments', () => {
  const program = new Command();
  registerParse(program);
  assert.ok(program.commands.some((c) => c.name() === 'parse'));
});
