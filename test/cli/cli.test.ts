import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI_MAIN as MAIN } from './cli-harness.js';

const PACKS = path.resolve('test/fixtures/packs');
const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function withoutNetreflexSettings(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('NETREFLEX_')));
}

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    // local mode: a data directory and no URL (no NETREFLEX_URL, no config file from a login)
    env: {
      ...withoutNetreflexSettings(),
      XDG_CONFIG_HOME: path.join(tmp, 'config'),
      NETREFLEX_DATA_DIR: path.join(tmp, 'data'),
      NETREFLEX_PACKS_PATH: PACKS,
      NO_COLOR: '1',
      ...env,
    },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('netreflex run', () => {
  test('runs the seed deck chain in-process and prints id, action, status, result and the task path as JSON', () => {
    const r = cli(['run', 'cloud.vm_provision', 'vm_name=web01', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.action, 'cloud.vm_provision');
    assert.equal(out.status, 'succeeded');
    assert.match(out.id, /^[0-9a-z]{26}$/);
    assert.deepEqual(
      out.tasks.map((t: { name: string; status: string }) => `${t.name}:${t.status}`),
      ['create_vm:succeeded', 'provision_vm:succeeded', 'register_dns:succeeded', 'register_lb:succeeded'],
    );
    assert.ok(out.result.output.published.vm_id === 'vm-42');
  });

  test('exits 1 when the workflow fails, with the rollback path in tasks', () => {
    const r = cli(['run', 'cloud.vm_provision', 'vm_name=web02', '--json'], { NRX_FAIL: 'dns.register' });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.status, 'failed');
    assert.deepEqual(
      out.tasks.map((t: { name: string }) => t.name),
      ['create_vm', 'provision_vm', 'register_dns', 'clear_vm', 'notify_failure'],
    );
  });

  test('execution get shows what run recorded; execution list lists it', () => {
    const r = cli(['run', 'core.local', 'cmd=echo hello', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { id } = JSON.parse(r.stdout);
    const g = cli(['execution', 'get', id]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /status:\s+succeeded/);
    assert.match(g.stdout, /hello/);
    const l = cli(['execution', 'list', '--json']);
    assert.ok(JSON.parse(l.stdout).some((e: { id: string }) => e.id === id));
  });

  test('an unknown action or invalid parameters exit 2 with a clear error', () => {
    const r = cli(['run', 'nope.nothing']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NRX_ERR_ACTION_NOT_FOUND.*nope\.nothing/);
    const p = cli(['run', 'cloud.vm_provision']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /NRX_ERR_PARAM_INVALID.*vm_name/);
  });
});

describe('netreflex rule test', () => {
  const rule = path.join(PACKS, 'demo/rules/bgp_down.yaml');
  test('exit 0 and the rendered parameters when the rule matches', () => {
    const ev = path.join(tmp, 'down.json');
    writeFileSync(ev, JSON.stringify({ trigger: 'network.bgp_peer_state_changed', payload: { device: 'r1', peer: '10.0.12.2', state: 'idle' } }));
    const r = cli(['rule', 'test', '--rule', rule, '--event', ev, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.matched, true);
    assert.deepEqual(out.parameters, { device: 'r1', peer: '10.0.12.2' });
  });
  test('exit 1 when it does not match', () => {
    const ev = path.join(tmp, 'up.json');
    writeFileSync(ev, JSON.stringify({ device: 'r1', peer: '10.0.12.2', state: 'established' }));
    assert.equal(cli(['rule', 'test', '--rule', rule, '--event', ev]).code, 1);
  });
  test('exit 2 for an unreadable event or a malformed rule', () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{not json');
    const r = cli(['rule', 'test', '--rule', rule, '--event', bad]);
    assert.equal(r.code, 2);
    const badRule = path.join(tmp, 'bad.yaml');
    writeFileSync(badRule, 'name: x\ntrigger:\n  type: core.event\ncriteria:\n  trigger.a:\n    type: nosuchop\n    pattern: 1\naction:\n  ref: core.noop\n');
    const r2 = cli(['rule', 'test', '--rule', badRule, '--event', path.join(tmp, 'up.json')]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr + r2.stdout, /bad\.yaml.*line 6|line 5/);
  });
});

describe('netreflex event emit / trigger list / rule list', () => {
  test('emit writes a pending event to the data directory inbox', () => {
    const r = cli(['event', 'emit', 'core.event', 'kind=test', 'count=3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const ev = JSON.parse(r.stdout);
    assert.deepEqual(ev.payload, { kind: 'test', count: 3 });
    const l = cli(['event', 'list', '--json']);
    const found = JSON.parse(l.stdout).find((e: { id: string }) => e.id === ev.id);
    assert.equal(found.status, 'pending');
  });
  test('emit refuses a payload that breaks the trigger type schema', () => {
    const r = cli(['event', 'emit', 'network.bgp_peer_state_changed', 'peer=10.0.0.1', 'state=bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NRX_ERR_PAYLOAD_INVALID/);
  });
  test('trigger list and rule list show what is registered and loaded', () => {
    assert.match(cli(['trigger', 'list']).stdout, /network\.bgp_peer_state_changed/);
    const rules = JSON.parse(cli(['rule', 'list', '--json']).stdout);
    assert.ok(rules.rules.some((r: { ref: string }) => r.ref === 'demo.bgp_down'));
  });
});

describe('which mode a command works in', () => {
  test('a configured URL wins over the data directory: the command goes to the API', () => {
    const r = cli(['execution', 'list'], { NETREFLEX_URL: 'http://127.0.0.1:9' });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /NRX_ERR_API_UNREACHABLE.*127\.0\.0\.1:9/);
    const local = cli(['execution', 'list', '--json']);
    assert.equal(local.code, 0, local.stderr);
  });
  test('a usage error exits 2 in any subcommand', () => {
    assert.equal(cli(['execution', 'list', '--no-such-flag']).code, 2);
    assert.equal(cli(['inventory', 'show']).code, 2);
    assert.equal(cli(['run', 'core.local', 'not-a-pair']).code, 2);
  });
});
