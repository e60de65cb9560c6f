import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { loadInventoryDir } from '../../src/inventory/loader.js';
import type { ResolvedHost } from '../../src/inventory/model.js';
import fc from 'fast-check';
import { checkReferences, resolveHost } from '../../src/inventory/resolve.js';
import { checkEntry, validateDefaultsFile, validateEntriesFile } from '../../src/inventory/schema.js';

function inventoryDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-inv-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function resolvedAll(dir: string): Map<string, ResolvedHost> {
  const inv = loadInventoryDir(dir);
  assert.deepEqual(
    inv.errors.map((e) => e.message),
    [],
  );
  const groups = new Map(inv.groups.map((g) => [g.name, g]));
  return new Map(inv.hosts.map((h) => [h.name, resolveHost(h, groups, inv.defaults)]));
}

describe('inheritance (Nornir SimpleInventory semantics)', () => {
  const dir = inventoryDir({
    'hosts.yaml': `
r1:
  hostname: 10.0.0.1
  groups: [g_first, g_second]
  data:
    own: host
    shared: from-host
r2:
  groups: [g_second]
  port: 2222
r3: {}
`,
    'groups.yaml': `
g_first:
  groups: [g_parent]
  data:
    shared: from-first
    first_only: true
g_second:
  platform: cisco_ios
  username: second-user
  data:
    shared: from-second
    second_only: 2
  connection_options:
    netconf: { port: 830, username: nc-second }
g_parent:
  platform: frr
  data:
    parent_only: p
    second_only: from-parent
  connection_options:
    netconf: { hostname: nc.example }
`,
    'defaults.yaml': `
port: 22
username: default-user
credential: lab
data:
  shared: from-defaults
  default_only: d
connection_options:
  netconf: { port: 9999, extras: { hostkey_verify: false } }
  ssh: { port: 2022 }
`,
  });
  const hosts = resolvedAll(dir);

  test('scalars: host first, then each group with its parents depth first, then defaults', () => {
    const r1 = hosts.get('r1')!;
    assert.equal(r1.hostname, '10.0.0.1');
    // g_first has no platform, but its parent g_parent does, and it comes before g_second.
    assert.equal(r1.platform, 'frr');
    assert.equal(r1.username, 'second-user');
    assert.equal(r1.port, 22);
    assert.equal(r1.credential, 'lab');
    const r2 = hosts.get('r2')!;
    assert.equal(r2.platform, 'cisco_ios');
    assert.equal(r2.port, 2222);
  });

  test('hostname falls back to the host name', () => {
    assert.equal(hosts.get('r3')!.hostname, 'r3');
    assert.equal(hosts.get('r3')!.platform, null);
  });

  test('data: per key, first entry in the chain that has the key', () => {
    assert.deepEqual(hosts.get('r1')!.data, {
      own: 'host',
      shared: 'from-host',
      first_only: true,
      parent_only: 'p',
      second_only: 'from-parent',
      default_only: 'd',
    });
    assert.equal(hosts.get('r2')!.data.shared, 'from-second');
    assert.equal(hosts.get('r3')!.data.shared, 'from-defaults');
  });

  test('connection_options: per type, per option, first one set wins', () => {
    assert.deepEqual(hosts.get('r1')!.connectionOptions, {
      netconf: { hostname: 'nc.example', port: 830, username: 'nc-second', extras: { hostkey_verify: false } },
      ssh: { port: 2022 },
    });
  });

  test('groups: direct groups first, then inherited, no duplicates', () => {
    assert.deepEqual(hosts.get('r1')!.groups, ['g_first', 'g_second', 'g_parent']);
    assert.deepEqual(hosts.get('r2')!.groups, ['g_second']);
    assert.deepEqual(hosts.get('r3')!.groups, []);
  });

  test('a diamond (two groups sharing a parent) visits the parent once', () => {
    const d = resolvedAll(
      inventoryDir({
        'hosts.yaml': 'h: { groups: [a, b] }\n',
        'groups.yaml': 'a: { groups: [base] }\nb: { groups: [base], platform: eos }\nbase: { platform: frr }\n',
      }),
    );
    assert.deepEqual(d.get('h')!.groups, ['a', 'b', 'base']);
    assert.equal(d.get('h')!.platform, 'frr');
  });
});

describe('loading a directory', () => {
  test('missing groups.yaml and defaults.yaml are fine', () => {
    const inv = loadInventoryDir(inventoryDir({ 'hosts.yaml': 'r1: { hostname: 192.0.2.1 }\n' }));
    assert.deepEqual(inv.errors, []);
    assert.deepEqual(inv.hosts, [{ name: 'r1', hostname: '192.0.2.1' }]);
    assert.deepEqual(inv.defaults, {});
  });

  test('a missing hosts.yaml is an error naming the file', () => {
    const dir = inventoryDir({});
    const inv = loadInventoryDir(dir);
    assert.equal(inv.errors.length, 1);
    assert.equal(inv.errors[0]!.code, 'NRX_ERR_INVENTORY_INVALID');
    assert.equal(inv.errors[0]!.location.file, path.join(dir, 'hosts.yaml'));
  });

  test('.yml works too, and empty files are empty inventories', () => {
    const inv = loadInventoryDir(inventoryDir({ 'hosts.yml': '', 'groups.yml': '# nothing yet\n' }));
    assert.deepEqual(inv.errors, []);
    assert.deepEqual(inv.hosts, []);
  });

  test("the repository's example inventory loads without errors and uses four platforms", () => {
    const hosts = resolvedAll('inventory');
    assert.ok(hosts.size >= 6);
    assert.deepEqual(new Set([...hosts.values()].map((h) => h.platform)), new Set(['frr', 'cisco_ios', 'arista_eos', 'juniper_junos']));
    assert.deepEqual(new Set([...hosts.values()].map((h) => h.data.site)), new Set(['dc1', 'dc2']));
    for (const h of hosts.values()) assert.ok(h.credential, `${h.name} names a credential`);
  });
});

describe('validation names file, line, host and field', () => {
  function errorsOf(files: Record<string, string>): NrxError[] {
    return loadInventoryDir(inventoryDir(files)).errors;
  }
  function only(files: Record<string, string>): NrxError {
    const errors = errorsOf(files);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
    assert.equal(errors[0]!.code, 'NRX_ERR_INVENTORY_INVALID');
    return errors[0]!;
  }

  test('a bad port', () => {
    const e = only({ 'hosts.yaml': 'r1:\n  hostname: 10.0.0.1\nr2:\n  hostname: 10.0.0.2\n  port: ssh\n' });
    assert.match(e.location.file!, /hosts\.yaml$/);
    assert.equal(e.location.line, 5);
    assert.equal(e.location.field, 'r2.port');
    assert.match(e.message, /host 'r2': port must be an integer/);
    assert.match(e.message, /hosts\.yaml, line 5, field 'r2\.port'/);
  });

  test('an unknown field (a typo) is reported, not ignored', () => {
    const e = only({ 'hosts.yaml': 'r1:\n  platfrom: frr\n' });
    assert.equal(e.location.field, 'r1.platfrom');
    assert.equal(e.location.line, 2);
    assert.match(e.message, /unknown field 'platfrom'/);
  });

  test('a plain-text password anywhere outside data tells the user to use a credential', () => {
    for (const [files, field, line] of [
      [{ 'hosts.yaml': 'r1:\n  password: hunter2\n' }, 'r1.password', 2],
      [
        { 'hosts.yaml': 'r1: {}\n', 'groups.yaml': 'g:\n  connection_options:\n    ssh:\n      extras:\n        secret: enable\n' },
        'g.connection_options.ssh.extras.secret',
        5,
      ],
      [{ 'hosts.yaml': 'r1: {}\n', 'defaults.yaml': 'username: u\nprivate_key: |\n  -----BEGIN\n' }, 'private_key', 2],
    ] as const) {
      const e = only(files);
      assert.equal(e.location.field, field);
      assert.equal(e.location.line, line);
      assert.match(e.message, /credential: <name>/);
    }
    // data is free-form: a key called password there is the user's business.
    assert.deepEqual(errorsOf({ 'hosts.yaml': 'r1:\n  data: { password_policy: strict }\n' }), []);
  });

  test('an unknown group names the host and the groups entry', () => {
    const e = only({ 'hosts.yaml': 'r1:\n  groups:\n    - dc1\n    - dc3\n', 'groups.yaml': 'dc1: {}\n' });
    assert.equal(e.location.field, 'r1.groups[1]');
    assert.equal(e.location.line, 4);
    assert.match(e.message, /host 'r1': unknown group 'dc3'/);
  });

  test('a group cycle names the path', () => {
    const e = only({ 'hosts.yaml': 'r1: { groups: [a] }\n', 'groups.yaml': 'a:\n  groups: [b]\nb:\n  groups: [c]\nc:\n  groups: [a]\n' });
    assert.match(e.message, /group cycle a -> b -> c -> a/);
    assert.match(e.location.file!, /groups\.yaml$/);
    assert.equal(e.location.line, 2);
  });

  test('defaults cannot have groups; entries must be mappings; names must be usable', () => {
    assert.match(only({ 'hosts.yaml': 'r1: {}\n', 'defaults.yaml': 'groups: [x]\n' }).message, /defaults cannot have groups/);
    assert.match(only({ 'hosts.yaml': 'r1: [a, b]\n' }).message, /must be a mapping/);
    assert.match(only({ 'hosts.yaml': '"r 1": {}\n' }).message, /invalid host name/);
    assert.match(only({ 'hosts.yaml': '- r1\n- r2\n' }).message, /mapping of host name/);
  });

  test('a YAML syntax error names the file and line; other files still report', () => {
    const errors = errorsOf({ 'hosts.yaml': 'r1:\n  hostname: [unclosed\n', 'groups.yaml': 'g:\n  port: 0\n' });
    assert.deepEqual(errors.map((e) => e.code).sort(), ['NRX_ERR_INVENTORY_INVALID', 'NRX_ERR_YAML_SYNTAX']);
    assert.ok(errors.every((e) => e.location.file));
  });

  test('checkEntry (API bodies) reports every problem and names the field', () => {
    assert.deepEqual(checkEntry('host', 'r1', { name: 'r1', hostname: 'a', port: null }), { hostname: 'a' });
    assert.throws(
      () => checkEntry('host', 'r1', { port: 70000, password: 'x' }),
      (e: unknown) => e instanceof NrxError && e.location.field === 'r1.port' && /and 1 more/.test(e.message) && (e.details.errors as string[]).length === 2,
    );
  });
});

describe('hostile input', () => {
  test('property: any YAML document gives entries or NrxErrors, never a crash, and resolution never throws', () => {
    const src = (doc: unknown) => ({ file: 'hosts.yaml', doc, lineOf: () => undefined });
    const fields = fc.constantFrom('hostname', 'platform', 'port', 'groups', 'data', 'connection_options', 'password', 'credential', 'x');
    const entry = fc.oneof(fc.constant(null), fc.jsonValue(), fc.dictionary(fields, fc.oneof(fc.jsonValue(), fc.array(fc.constantFrom('a', 'b', 'c')))));
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('a', 'b', 'c', 'r1', 'bad name'), entry)),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), entry),
        (hostsDoc, groupsDoc) => {
          const h = validateEntriesFile('host', src(hostsDoc));
          const g = validateEntriesFile('group', src(groupsDoc));
          const d = validateDefaultsFile(src(hostsDoc));
          for (const e of [...h.errors, ...g.errors, ...d.errors]) assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_INVENTORY_INVALID');
          const inv = { hosts: h.entries, groups: g.entries, defaults: d.errors.length ? {} : d.defaults };
          checkReferences(inv);
          const groups = new Map(g.entries.map((x) => [x.name, x]));
          for (const host of h.entries) assert.equal(typeof resolveHost(host, groups, inv.defaults).hostname, 'string');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
