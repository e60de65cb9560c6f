import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerParse } from '../../src/cli/commands/parse.js';

/** Runs the command in a child process so stdin, stdout and the exit code are real. */
function parse(args: string[], input: string, env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const script = `import { Command } from 'commander'; import { registerParse } from ${JSON.stringify(join(import.meta.dirname, '../../src/cli/commands/parse.ts'))};
const p = new Command(); registerParse(p); p.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2)); await p.parseAsync(process.argv);`;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NETREFLEX_')));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'node', 'parse', ...args], {
    input,
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '../..'),
    env: { ...base, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FRR_ADMIN = readFileSync(join(import.meta.dirname, '../drivers/fixtures/frr/bgp_neighbors/admin_down/show_ip_bgp_summary.txt'), 'utf8');

test('parse prints the BGP neighbors model for a BGP summary read from stdin', () => {
  const r = parse(['frr', 'show', 'ip', 'bgp', 'summary'], FRR_ADMIN);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { getter: string; neighbors: Array<Record<string, unknown>> };
  assert.equal(out.getter, 'bgp_neighbors');
  assert.deepEqual(
    out.neighbors.map((n) => [n.peer, n.remoteAs, n.state, n.adminDown]),
    [['10.0.12.2', 65002, 'idle', true]],
  );
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

const TEXTFSM = join(import.meta.dirname, '../drivers/textfsm/fixtures');
const LIST_CASE = join(TEXTFSM, 'cases/list-nested');

test('parse --textfsm prints the records as a JSON list keyed by Value name, List values as arrays', () => {
  const r = parse(['--textfsm', join(LIST_CASE, 'template.textfsm')], readFileSync(join(LIST_CASE, 'input.txt'), 'utf8'));
  assert.equal(r.code, 0, r.stderr);
  const records = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(
    records.map((x) => x.Interface),
    ['Gi1', 'Gi2', 'Gi3'],
  );
  assert.deepEqual(Object.keys(records[1]!), ['Interface', 'Address', 'Neighbor', 'Vlan']);
  assert.deepEqual(records[1]!.Address, ['10.0.0.1/24', '10.0.1.1/24']);
  assert.deepEqual(records[1]!.Neighbor, [
    { ip: '10.0.0.2', dev: 'Gi1', cost: '10' },
    { ip: '10.0.0.3', dev: 'Gi1', cost: null },
  ]);
});

test('a template error exits 2 naming the template file and line; so does a rule that raises Error', () => {
  const bad = join(TEXTFSM, 'template-errors/unknown-option.textfsm');
  const r = parse(['--textfsm', bad], 'x\n');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /NRX_ERR_TEMPLATE: .*unknown-option\.textfsm, line 2: .*unknown Value option 'Filldwn'/);
  const raised = parse(['--textfsm', join(TEXTFSM, 'cases/error-action/template.textfsm')], 'interface Gi1\n% Invalid input\n');
  assert.equal(raised.code, 2);
  assert.match(raised.stderr, /NRX_ERR_PARSE: .*template\.textfsm, line 6: .*device rejected the command.*input line 2/);
});

test('parse --platform --command finds the template through the NETREFLEX_TEXTFSM_PATH index', () => {
  const out = readFileSync(join(import.meta.dirname, '../drivers/fixtures/cisco_ios/lldp_neighbors/long_names/show_lldp_neighbors.txt'), 'utf8');
  const r = parse(['--platform', 'cisco_ios', '--command', 'sh lld nei'], out, { NETREFLEX_TEXTFSM_PATH: join(TEXTFSM, 'ntc') });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (JSON.parse(r.stdout) as Array<Record<string, unknown>>).map((x) => [x.Neighbor, x.LocalInterface]),
    [
      ['twb-sf-hpsw1.local.d', 'Gi1'],
      ['twb-sf-hpsw2', 'Gi2'],
    ],
  );
  const unset = parse(['--platform', 'cisco_ios', '--command', 'show lldp neighbors'], out);
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /NETREFLEX_TEXTFSM_PATH is not set/);
  const unknown = parse(['--platform', 'cisco_ios', '--command', 'show clock'], out, { NETREFLEX_TEXTFSM_PATH: join(TEXTFSM, 'ntc') });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no TextFSM template for platform cisco_ios and command 'show clock'/);
  const half = parse(['--platform', 'cisco_ios'], out);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--platform and --command go together/);
});
