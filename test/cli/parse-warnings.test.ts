import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

/** `netreflex parse` in a child process: abbreviations, warnings on stderr and in the JSON, exit codes. */
function parse(args: string[], input: string): { code: number | null; stdout: string; stderr: string } {
  const script = `import { Command } from 'commander'; import { registerParse } from ${JSON.stringify(join(import.meta.dirname, '../../src/cli/commands/parse.ts'))};
const p = new Command(); registerParse(p); p.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2)); await p.parseAsync(process.argv);`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NETREFLEX_')));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'node', 'parse', ...args], {
    input,
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '../..'),
    env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TABLE = [
  'Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd',
  '10.0.0.2        4        65002      10      12        5    0    0 00:01:02        3',
  '10.0.0.3        4        65003      10      12        5    0    0 00:01:02 Bogus!',
].join('\n');

test('parse accepts `sh ip bgp sum`, keeps the readable rows and reports the unreadable line by number', () => {
  const r = parse(['cisco_ios', 'sh', 'ip', 'bgp', 'sum'], TABLE);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { command: string; neighbors: Array<{ peer: string }>; warnings: Array<{ line: number }> };
  assert.equal(out.command, 'show ip bgp summary');
  assert.deepEqual(
    out.neighbors.map((n) => n.peer),
    ['10.0.0.2'],
  );
  assert.deepEqual(
    out.warnings.map((w) => w.line),
    [3],
  );
  assert.match(r.stderr, /warning: line 3: unreadable state or prefix count/);
});

test('an ambiguous abbreviation exits 2 naming the candidates', () => {
  const r = parse(['cisco_ios', 'sh', 'i'], TABLE);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ambiguous command 'sh i': 'i' could be interfaces, ip/);
});

test('--list names the variants from the command-pattern table', () => {
  const r = parse(['cisco_nxos', '--list'], '');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { commands: Array<{ command: string; getter: string }> };
  assert.ok(out.commands.some((c) => c.command === 'show ip bgp all summary vrf <vrf>' && c.getter === 'bgp_neighbors'));
});
