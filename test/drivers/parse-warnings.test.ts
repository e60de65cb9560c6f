import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CliDriver } from '../../drivers/cli-driver.js';
import { parseCommandOutput, requirePlatform } from '../../drivers/platforms/registry.js';
import { isNrxError } from '../../src/core/errors.js';
import { FixtureSession, fixtureCases } from './fixture-session.js';

/**
 * Partial results: rows that parse are returned, each unreadable line is a warning with its
 * line number, and only output with no recognisable structure is an error.
 */

const IOS_TABLE = [
  'BGP router identifier 10.0.0.1, local AS number 65001',
  'Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd',
  '10.0.0.2        4        65002      10      12        5    0    0 00:01:02        3',
  '10.0.0.3        4        65003      10      12        5    0    0 00:01:02 Bogus!',
  '10.0.0.4        4        65004      10      12        5    0    0 never    Idle (Admin)',
];

describe('partial results from a parser', () => {
  test('an unreadable row is a warning with its line number; the rows around it are kept', () => {
    const r = parseCommandOutput('cisco_ios', 'show ip bgp summary', IOS_TABLE.join('\n'));
    const peers = (r.model as { neighbors: Array<{ peer: string; state: string }> }).neighbors.map((n) => [n.peer, n.state]);
    assert.deepEqual(peers, [
      ['10.0.0.2', 'established'],
      ['10.0.0.4', 'idle'],
    ]);
    assert.deepEqual(r.warnings, [{ line: 4, text: IOS_TABLE[3], reason: 'unreadable state or prefix count' }]);
  });

  test('a stray line after the table is a warning; the known footer is not', () => {
    const out = [...IOS_TABLE.slice(0, 3), '', 'Total number of neighbors 1', 'kernel: oops'].join('\n');
    const r = parseCommandOutput('frr', 'sh ip bgp sum', out);
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.text]),
      [[6, 'kernel: oops']],
    );
  });

  test('a getter keeps the readable rows of an output with an unreadable line instead of failing', async () => {
    const session = new FixtureSession({ 'show ip bgp summary': IOS_TABLE.join('\n') });
    const driver = new CliDriver('fixture-ios', requirePlatform('cisco_ios'), async () => session);
    const model = await driver.get('bgp_neighbors');
    assert.deepEqual(
      model.neighbors.map((n) => n.peer),
      ['10.0.0.2', '10.0.0.4'],
    );
  });

  test('output with no table at all is still NRX_ERR_PARSE naming the platform and command', () => {
    assert.throws(
      () => parseCommandOutput('cisco_ios', 'sh ip bgp sum', 'this is not\na BGP summary'),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_PARSE' && /cisco_ios 'show ip bgp summary'/.test(e.message),
    );
  });

  // Every line-oriented parser; `show version` (facts) is free text read by pattern, not by line,
  // and the VXLAN getter reads JSON (`ip -j`), which has no lines to skip.
  const inScope = fixtureCases(join(import.meta.dirname, 'fixtures')).flatMap((c) =>
    c.getter === 'facts' || c.getter === 'vxlan_vnis'
      ? []
      : Object.entries(c.outputs).map(([command, output]) => ({
          platform: c.platform,
          getter: c.getter,
          name: c.name,
          command,
          // in an interface block, indented lines are the block's free text: garbage there is unindented
          blocks: c.getter === 'interfaces',
          output: output.replace(/\r/g, '').replace(/\n+$/, ''),
        })),
  );

  test('the fixtures in scope are many and every platform is among them', () => {
    assert.ok(inScope.length >= 25, `only ${inScope.length} fixtures`);
    assert.deepEqual([...new Set(inScope.map((c) => c.getter))].sort(), ['bgp_neighbors', 'interfaces', 'lag_members', 'lldp_neighbors']);
    const platforms = new Set(inScope.map((c) => c.platform));
    for (const p of ['arista_eos', 'cisco_ios', 'cisco_iosxr', 'cisco_nxos', 'frr', 'juniper_junos'])
      assert.ok(platforms.has(p), `${p} has no fixture in scope`);
  });

  test('property: garbage lines appended to a known-good output give the same rows plus one warning per line', () => {
    const garbageLine = fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom(...'abcdefxyz !*?@,;'.split('')), { minLength: 1, maxLength: 40 }))
      .map(([indent, cs]) => `${indent ? '   ' : ''}?${cs.join('')}`);
    fc.assert(
      fc.property(fc.constantFrom(...inScope), fc.array(garbageLine, { minLength: 1, maxLength: 5 }), (c, lines) => {
        const garbage = c.blocks ? lines.map((g) => g.trimStart()) : lines;
        const base = parseCommandOutput(c.platform, c.command, c.output);
        const baseLines = c.output.split('\n').length;
        const dirty = parseCommandOutput(c.platform, c.command, [c.output, ...garbage].join('\n'));
        assert.deepEqual(dirty.model, base.model, `${c.platform} ${c.name}: rows changed`);
        assert.deepEqual(
          dirty.warnings.slice(base.warnings.length).map((w) => [w.line, w.text]),
          garbage.map((g, k) => [baseLines + k + 1, g.trim()]),
          `${c.platform} ${c.name} '${c.command}'`,
        );
        assert.deepEqual(dirty.warnings.slice(0, base.warnings.length), base.warnings);
      }),
      { numRuns: 500 },
    );
  });
});
