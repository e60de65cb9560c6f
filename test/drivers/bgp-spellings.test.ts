import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { asNumber } from '../../drivers/parsing/bgp.js';
import { readStateColumn } from '../../drivers/parsing/bgp-state-column.js';
import { parseCommandOutput } from '../../drivers/platforms/registry.js';
import { fixtureCases } from './fixture-session.js';

/**
 * The spellings of a BGP summary's state column and AS numbers as IOS, NX-OS, IOS-XR, EOS and
 * FRR print them, one table case each, and rows the devices wrap. (The recorded fixtures hold
 * most of these; the ones no public fixture shows are here.)
 */

describe('the State/PfxRcd column', () => {
  const cases: Array<[string, ReturnType<typeof readStateColumn>]> = [
    ['7', { state: 'established', adminDown: false, prefixesReceived: 7, rest: [] }],
    ['0', { state: 'established', adminDown: false, prefixesReceived: 0, rest: [] }],
    ['Idle', { state: 'idle', adminDown: false, rest: [] }],
    ['Idle (Admin)', { state: 'idle', adminDown: true, stateReason: 'Admin', rest: [] }],
    // maximum-prefix tripped: down, not by the operator
    ['Idle (PfxCt)', { state: 'idle', adminDown: false, stateReason: 'PfxCt', rest: [] }],
    ['Idle(NoIf)', { state: 'idle', adminDown: false, stateReason: 'NoIf', rest: [] }],
    ['Shut (Admin)', { state: 'idle', adminDown: true, stateReason: 'Admin', rest: [] }],
    // the session is up, the address family was not negotiated
    ['(NoNeg)', { state: 'established', adminDown: false, stateReason: 'NoNeg', rest: [] }],
    ['NoNeg', { state: 'established', adminDown: false, stateReason: 'NoNeg', rest: [] }],
    ['(Policy)', { state: 'established', adminDown: false, stateReason: 'Policy', rest: [] }],
    ['4 (SE)', { state: 'established', adminDown: false, prefixesReceived: 4, stateReason: 'SE', rest: [] }],
    ['Active', { state: 'active', adminDown: false, rest: [] }],
    ['Connect', { state: 'connect', adminDown: false, rest: [] }],
    ['OpenSent', { state: 'opensent', adminDown: false, rest: [] }],
    ['OpenConfirm', { state: 'openconfirm', adminDown: false, rest: [] }],
    ['Estab  121    76', { state: 'established', adminDown: false, rest: ['121', '76'] }],
    ['Estab(NotNegotiated) 0 0', { state: 'established', adminDown: false, stateReason: 'NotNegotiated', rest: ['0', '0'] }],
    // FRR: PfxSnt and Desc follow
    ['Idle (Admin)        0 N/A', { state: 'idle', adminDown: true, stateReason: 'Admin', rest: ['0', 'N/A'] }],
    ['Bogus!', null],
    ['(Admin)', null],
    ['Idle (Admin', null],
    ['', null],
  ];
  for (const [text, want] of cases) {
    test(JSON.stringify(text), () => {
      assert.deepEqual(readStateColumn(text.split(/\s+/).filter((t) => t !== '')), want);
    });
  }
});

describe('AS numbers', () => {
  for (const [text, want] of [
    ['65001', 65001],
    ['4233316914', 4233316914], // 4-byte asplain (NX-OS)
    ['65000.1000', 65000 * 65536 + 1000], // asdot
    ['1.10', 65536 + 10],
    ['0', 0],
    ['4294967296', null], // past 32 bits
    ['65000.', null],
    ['-1', null],
  ] as const) {
    test(text, () => assert.equal(asNumber(text), want));
  }
});

const IOS_HEAD = [
  'BGP router identifier 10.0.0.1, local AS number 65000.1',
  'Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd',
];

function peers(platform: string, command: string, lines: string[]) {
  const r = parseCommandOutput(platform, command, lines.join('\n'));
  return { rows: (r.model as unknown as { neighbors: Array<Record<string, unknown>> }).neighbors, warnings: r.warnings };
}

describe('rows as IOS prints them', () => {
  test('maximum-prefix, not negotiated, stale and asdot rows all parse, none is a warning', () => {
    const { rows, warnings } = peers('cisco_ios', 'sh ip bgp sum', [
      ...IOS_HEAD,
      '1.1.1.5         4  6500      54      28        0    0    0 00:00:49 Idle (PfxCt)',
      '10.0.0.9        4 65000.10     12      11        5    0    0 00:10:00 (NoNeg)',
      '192.168.1.237   4 60000    2139    2355 13683280    0    0 1d11h    4 (SE)',
    ]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      rows.map((n) => [n.peer, n.remoteAs, n.state, n.adminDown, n.stateReason, n.prefixesReceived, n.localAs]),
      [
        ['1.1.1.5', 6500, 'idle', false, 'PfxCt', undefined, 65000 * 65536 + 1],
        ['10.0.0.9', 65000 * 65536 + 10, 'established', false, 'NoNeg', undefined, 65000 * 65536 + 1],
        ['192.168.1.237', 60000, 'established', false, 'SE', 4, 65000 * 65536 + 1],
      ],
    );
  });

  test('an older column set without TblVer parses by its header', () => {
    const { rows, warnings } = peers('cisco_ios', 'show ip bgp summary', [
      'Neighbor        V    AS MsgRcvd MsgSent InQ OutQ Up/Down  State/PfxRcd',
      '10.0.0.2        4 65002      10      12    0    0 00:01:02        3',
    ]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      rows.map((n) => [n.peer, n.prefixesReceived]),
      [['10.0.0.2', 3]],
    );
  });

  test('an IPv6 peer with its address, AS and counters on three lines is one row; a peer with no counters after it is a warning', () => {
    const { rows, warnings } = peers('cisco_nxos', 'show bgp ipv6 unicast summary', [
      'BGP summary information for VRF default, address family IPv6 Unicast',
      ...IOS_HEAD,
      '2001:db8:e0:df::',
      '                4    12345678',
      '                         327465  327268      145    0    0     3w1d 4',
      '2001:db8::99',
      '2001:db8::1',
      '                4 65001  10  10  1    0    0 00:00:10 Idle (Admin)',
    ]);
    assert.deepEqual(
      rows.map((n) => [n.peer, n.remoteAs, n.state, n.adminDown]),
      [
        ['2001:db8:e0:df::', 12345678, 'established', false],
        ['2001:db8::1', 65001, 'idle', true],
      ],
    );
    assert.deepEqual(
      warnings.map((w) => [w.line, w.text]),
      [[7, '2001:db8::99']],
    );
  });
});

describe('rows as EOS prints them', () => {
  test('an IPv6 peer alone on its line takes the columns on the next; the older State/PfxRcd column holds a count', () => {
    const { rows, warnings } = peers('arista_eos', 'sh ipv6 bgp sum', [
      'BGP router identifier 10.26.0.22, local AS number 65533',
      'Neighbor         V  AS      MsgRcvd   MsgSent  InQ OutQ  Up/Down State/PfxRcd',
      '2001:db8:ffff:ffff:ffff:ffff:ffff:1',
      '                 4  4200000001  187       191    0    0 02:49:40 7',
      '2001:DB8:ff12::2     4  65533       184       191    0    0 02:59:41 Idle (Admin)',
    ]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      rows.map((n) => [n.peer, n.remoteAs, n.state, n.adminDown, n.prefixesReceived]),
      [
        ['2001:db8:ffff:ffff:ffff:ffff:ffff:1', 4200000001, 'established', false, 7],
        ['2001:DB8:ff12::2', 65533, 'idle', true, undefined],
      ],
    );
  });
});

describe('a real output with one unreadable row', () => {
  test("ntc-templates' NX-OS VRF summary prints a prefix count '1.': that row is the one warning, at its line, and the other 11 rows are kept", () => {
    const c = fixtureCases(join(import.meta.dirname, 'fixtures')).find((k) => k.platform === 'cisco_nxos' && k.name === 'ntc_vrfs_unreadable_count')!;
    const [command, output] = Object.entries(c.outputs)[0]!;
    const { rows, warnings } = peers('cisco_nxos', command, output.split('\n'));
    assert.equal(rows.length, 11);
    assert.ok(!rows.some((n) => n.peer === '192.168.3.3'));
    assert.deepEqual(
      warnings.map((w) => [w.line, w.reason]),
      [[36, 'unreadable state or prefix count']],
    );
    assert.match(warnings[0]!.text, /^192\.168\.3\.3 .* 1\.$/);
  });
});
