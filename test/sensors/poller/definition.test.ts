import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isNrxError, type NrxError } from '../../../src/core/errors.js';
import { loadPollerDefinitions } from '../../../src/sensors/poller/loader.js';
import { definition } from './helpers.js';

const BGP = `name: bgp_state
description: BGP neighbor state on devices that cannot push
enabled: true
every: 30s
on: "role=leaf"
concurrency: 20
getter: bgp_neighbors
key: peer
watch: [state]
emit: network.bgp_peer_state_changed
`;

function refused(text: string): NrxError {
  try {
    definition(text);
  } catch (e) {
    assert.ok(isNrxError(e), `expected an NrxError, got ${String(e)}`);
    return e;
  }
  assert.fail('the definition was accepted');
}

describe('poller definitions', () => {
  test('the documented example loads with its fields', () => {
    const d = definition(BGP);
    assert.equal(d.ref, 'lab.bgp_state');
    assert.equal(d.everyMs, 30_000);
    assert.equal(d.timeoutMs, 30_000);
    assert.equal(d.on, 'role=leaf');
    assert.equal(d.concurrency, 20);
    assert.deepEqual(d.source, { kind: 'getter', getter: 'bgp_neighbors' });
    assert.deepEqual(d.key, ['peer']);
    assert.deepEqual(d.watch, ['state']);
    assert.equal(d.emit, 'network.bgp_peer_state_changed');
    assert.equal(d.mapping.kind, 'bgp');
    assert.equal(d.emitInitial, false);
  });

  test('defaults: every device, a key per getter, the mapped field watched, generic events', () => {
    const bgp = definition('name: b\nevery: 1m\ngetter: bgp_neighbors\nemit: network.bgp_peer_state_changed\n');
    assert.equal(bgp.on, '');
    assert.deepEqual(bgp.key, ['vrf', 'peer']);
    assert.deepEqual(bgp.watch, ['state']);
    const facts = definition('name: f\nevery: 5m\ngetter: facts\n');
    assert.deepEqual(facts.key, []);
    assert.equal(facts.watch, null);
    assert.equal(facts.emit, 'network.poll_changed');
    assert.equal(facts.timeoutMs, 300_000);
  });

  test('an SNMP ifOperStatus walk mapped to interface events also walks ifName to name the interfaces', () => {
    const d = definition('name: ifs\nevery: 10s\nsnmp: {walk: IF-MIB::ifOperStatus}\nemit: network.interface_down\n');
    assert.equal(d.source.kind, 'snmp-walk');
    if (d.source.kind !== 'snmp-walk') return;
    assert.deepEqual(
      d.source.roots.map((r) => [r.name, r.oid, r.implicit ?? false]),
      [
        ['ifOperStatus', '1.3.6.1.2.1.2.2.1.8', false],
        ['ifName', '1.3.6.1.2.1.31.1.1.1.1', true],
      ],
    );
    assert.deepEqual(d.key, ['index']);
    assert.deepEqual(d.watch, ['ifOperStatus']);
    assert.deepEqual(d.mapping, { kind: 'interface', operField: 'ifOperStatus', nameField: 'ifName' });
    const table = definition(
      'name: bgp\nevery: 10s\nsnmp: {walk: bgpPeerTable}\nemit: network.bgp_peer_state_changed\nwatch: [bgpPeerState, bgpPeerAdminStatus]\n',
    );
    assert.deepEqual(table.mapping, { kind: 'bgp', stateField: 'bgpPeerState', peerField: 'index', asField: 'bgpPeerRemoteAs', vrfField: null });
    if (table.source.kind === 'snmp-walk') assert.equal(table.source.roots.length, 1, 'bgpPeerRemoteAs is walked with the table already');
    const get = definition('name: up\nevery: 1m\nsnmp:\n  get: [sysUpTime.0, sysName.0]\n');
    assert.deepEqual(get.source, {
      kind: 'snmp-get',
      objects: [
        { name: 'sysUpTime.0', oid: '1.3.6.1.2.1.1.3.0' },
        { name: 'sysName.0', oid: '1.3.6.1.2.1.1.5.0' },
      ],
    });
  });

  const cases: Array<[string, string, number | undefined, string, RegExp]> = [
    ['a field the poller does not know', BGP.replace('watch: [state]', 'wach: [state]'), 9, 'wach', /unknown field 'wach'/],
    [
      'a watch field the getter does not have',
      BGP.replace('watch: [state]', 'watch:\n  - state\n  - stat'),
      11,
      'watch[1]',
      /'stat' is not a field of getter bgp_neighbors/,
    ],
    ['a key field the getter does not have', BGP.replace('key: peer', 'key: neighbor'), 8, 'key[0]', /'neighbor' is not a field/],
    ['no schedule', BGP.replace('every: 30s\n', ''), undefined, 'every', /every is required/],
    ['a schedule that is not a duration', BGP.replace('every: 30s', 'every: soon'), 4, 'every', /invalid duration "soon"/],
    ['polling faster than a second', BGP.replace('every: 30s', 'every: 200ms'), 4, 'every', /at least 1s/],
    ['an inventory filter that does not parse', BGP.replace('on: "role=leaf"', 'on: "role=(leaf"'), 5, 'on', /invalid inventory filter/],
    [
      'a getter drivers do not have',
      BGP.replace('getter: bgp_neighbors', 'getter: bgp_peers'),
      7,
      'getter',
      /getter must be one of facts, interfaces, bgp_neighbors/,
    ],
    [
      'both a getter and snmp',
      BGP.replace('getter: bgp_neighbors', 'getter: bgp_neighbors\nsnmp: {walk: ifOperStatus}'),
      8,
      'snmp',
      /exactly one of getter or snmp/,
    ],
    ['an SNMP object netreflex cannot name', 'name: x\nevery: 5s\nsnmp:\n  walk: ifOperStatuss\n', 4, 'snmp.walk', /unknown SNMP object 'ifOperStatuss'/],
    [
      'an emit the source cannot produce',
      BGP.replace('getter: bgp_neighbors', 'getter: interfaces').replace('key: peer\nwatch: [state]\n', ''),
      8,
      'emit',
      /needs getter: bgp_neighbors or an SNMP walk of bgpPeerState/,
    ],
    [
      'an emit that is not a poller trigger type',
      BGP.replace('emit: network.bgp_peer_state_changed', 'emit: network.syslog'),
      10,
      'emit',
      /emit must be one of/,
    ],
    ['a key on a one-object reading', 'name: f\nevery: 5m\ngetter: facts\nkey: hostname\n', 4, 'key', /key applies to list readings/],
    ['a concurrency of zero', BGP.replace('concurrency: 20', 'concurrency: 0'), 6, 'concurrency', /concurrency must be a whole number/],
    ['a bad name', BGP.replace('name: bgp_state', 'name: "bgp state"'), 1, 'name', /name is required/],
    ['a definition that is not a mapping', '- name: x\n', undefined, '', /must be a mapping/],
  ];
  for (const [what, text, line, field, message] of cases) {
    test(`refused, naming file, line and field: ${what}`, () => {
      const e = refused(text);
      assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
      assert.match(e.message, message);
      assert.equal(e.location?.file, '/packs/lab/pollers/p.yaml');
      assert.equal(e.location?.line, line);
      if (field) assert.equal(e.location?.field, field);
    });
  }

  test('hostile definitions are refused with NRX_ERR_SPEC_INVALID or YAML_SYNTAX, never another exception', () => {
    const anyValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
    );
    const doc = fc.dictionary(
      fc.constantFrom('name', 'every', 'on', 'getter', 'snmp', 'key', 'watch', 'emit', 'concurrency', 'timeout', 'enabled', 'emit_initial'),
      anyValue,
    );
    fc.assert(
      fc.property(doc, (d) => {
        try {
          definition(JSON.stringify(d));
        } catch (e) {
          assert.ok(isNrxError(e) && ['NRX_ERR_SPEC_INVALID', 'NRX_ERR_YAML_SYNTAX'].includes(e.code), String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('the loader reads pollers/*.yaml of every pack, keeps the good ones and lists the broken ones', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'nrx-poll-def-'));
    try {
      const a = path.join(root, 'a');
      mkdirSync(path.join(a, 'pollers'), { recursive: true });
      writeFileSync(path.join(a, 'pollers', 'bgp.yaml'), BGP);
      writeFileSync(path.join(a, 'pollers', 'broken.yaml'), BGP.replace('every: 30s', 'every: [30s'));
      writeFileSync(path.join(a, 'pollers', 'twice.yml'), BGP);
      writeFileSync(path.join(a, 'pollers', 'notes.txt'), 'not a poller');
      const b = path.join(root, 'b');
      mkdirSync(b);
      const { definitions, errors } = loadPollerDefinitions([
        { ref: 'a', path: a },
        { ref: 'b', path: b },
      ]);
      assert.deepEqual(
        definitions.map((d) => d.ref),
        ['a.bgp_state'],
      );
      assert.deepEqual(
        errors.map((e) => [e.code, path.basename(e.location?.file ?? '')]),
        [
          ['NRX_ERR_YAML_SYNTAX', 'broken.yaml'],
          ['NRX_ERR_SPEC_INVALID', 'twice.yml'],
        ],
      );
      assert.match(errors[1]!.message, /defined twice/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
