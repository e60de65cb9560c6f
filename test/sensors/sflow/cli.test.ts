import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;

/** The commands under a `decode` parent, as the lead wires them into the CLI. */
function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nrx-decode-'));
  const script = join(dir, 'main.mts');
  writeFileSync(
    script,
    `import { Command } from '${root}node_modules/commander/esm.mjs';\nimport { registerDecodeSflowTrap } from '${root}src/cli/commands/decode-sflow-trap.js';\nconst p = new Command('netreflex');\nregisterDecodeSflowTrap(p.command('decode'));\nawait p.parseAsync(process.argv);\n`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('netreflex decode sflow --pcap prints NDJSON; exit 1 names malformed datagrams; exit 2 for an unreadable file', () => {
  const ok = run(['decode', 'sflow', '--pcap', 'test/sensors/sflow/fixtures/tcpdump/sflow_expanded.pcap']);
  assert.equal(ok.status, 0, ok.stderr);
  const lines = ok.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual([lines.length, lines[0]!.kind, lines[0]!.sourceId, lines[0]!.vlan], [1, 'flow', '0:11001', 809]);
  const mixed = run(['decode', 'sflow', '--pcap', 'test/sensors/sflow/fixtures/tcpdump/sflow_multiple_counter_30_pdus.pcap']);
  assert.equal(mixed.status, 1);
  assert.equal(mixed.stdout.trim().split('\n').length, 144);
  assert.match(mixed.stderr, /packet 13 from 168\.87\.240\.2:40000: NRX_ERR_DECODE: offset 0, field 'version'/);
  assert.equal(run(['decode', 'sflow', '--pcap', '/nonexistent.pcap']).status, 2);
});

test('netreflex decode trap --pcap with a v3 user prints one event per trap', () => {
  const r = run([
    'decode',
    'trap',
    '--pcap',
    `${root}test/sensors/snmptrap/fixtures/snmptrap-v1-v2c-v3.pcap`,
    '--usm-user',
    'labv3:sha:authpass123:aes:privpass123',
    '--usm-user',
    'desuser:md5:authpass456:des:privpass456',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type),
    ['network.interface_down', 'network.interface_up', 'network.bgp_peer_state_changed', 'network.device_restarted', 'network.snmp_trap'],
  );
  assert.equal(run(['decode', 'trap', '--pcap', 'x.pcap', '--usm-user', 'bad']).status, 2);
});
