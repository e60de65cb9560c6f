import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseCommandOutput } from '../../drivers/platforms/registry.js';
import { fixtureCases } from './fixture-session.js';

/**
 * Garbage between the rows, not only after them: a parser handed a recorded output with random
 * lines slipped in before any record never throws, keeps every row it read from the clean
 * output, and reports each slipped-in line as a warning at its line number. A line may go
 * before the start of any record after the table's first one, or at the end; never inside a
 * record (between a wrapped peer and its counters: that row is then unreadable by design).
 */

/** Where a record starts, per getter: what a line opening a row or a block looks like. */
const RECORD_START: Record<string, RegExp> = {
  // a peer address opens a BGP row (Cisco-style, EOS without description, Junos)
  bgp_neighbors: /^\s*(\d{1,3}(\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:]+)(\s|$)/i,
  // a table row or a long Device ID alone: not indented (below the header, see TABLE_HEADER)
  lldp_neighbors: /^(?!-+(\s|$)|Total entries)\S/,
  // IOS/NX-OS group row, EOS Po row, IOS-XR bundle head, Junos aggregate
  lag_members: /^(\d+\s+\S+\(|\s*Po\d+\(|Bundle-|Aggregated interface:|bond\b)/,
  // an interface block's head
  interfaces: /^\s?(\S+ is (up|down|administratively)|Physical interface:|Interface \S+ is)/,
};

/** Getters whose records only count below a header line (the preamble is free text). */
const TABLE_HEADER: Record<string, RegExp> = {
  lldp_neighbors: /^(Device ID\s+Local Intf|Port\s+Neighbor Device ID|Local Interface\s+Parent Interface)/,
};

const ROOT = join(import.meta.dirname, 'fixtures');
// Line-oriented getters only: `show version` (facts) is free text read by pattern.
const inScope = fixtureCases(ROOT).flatMap((c) =>
  c.getter === 'facts' || !RECORD_START[c.getter]
    ? []
    : Object.entries(c.outputs).flatMap(([command, raw]) => {
        const output = raw.replace(/\r/g, '').replace(/\n+$/, '');
        const lines = output.split('\n');
        const header = TABLE_HEADER[c.getter];
        const below = header ? lines.findIndex((l) => header.test(l.trim())) : -1;
        const starts = lines.flatMap((l, k) => (k > below && RECORD_START[c.getter]!.test(l) ? [k] : []));
        // slots after the first record: before a later record's first line, or at the very end
        const slots = [...starts.slice(1), lines.length];
        return starts.length > 0 ? [{ platform: c.platform, getter: c.getter, name: c.name, command, lines, slots }] : [];
      }),
);

/**
 * Unindented, opening with `?`: never a peer, a port, a block head or a continuation. No word
 * is a bare number (a line `name port 120 port` is an LLDP row, whatever its text), and no `#`
 * or `>`: a lone `word#` is the prompt, which every parser skips on purpose.
 */
const garbageWord = fc
  .array(fc.constantFrom(...'abcxyzAQZ019.:/-_,;!*@=+'.split('')), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(''))
  .filter((w) => !/^\d+$/.test(w));
const garbageLine = fc.array(garbageWord, { minLength: 1, maxLength: 6 }).map((ws) => `?${ws.join(' ')}`);

function rowsOf(model: unknown): unknown[] {
  const m = model as Record<string, unknown[]>;
  return m.neighbors ?? m.members ?? m.interfaces ?? [];
}

describe('garbage lines slipped between the rows', () => {
  test('the cases cover every line-oriented getter and several slots each', () => {
    assert.deepEqual([...new Set(inScope.map((c) => c.getter))].sort(), ['bgp_neighbors', 'interfaces', 'lag_members', 'lldp_neighbors']);
    assert.ok(inScope.filter((c) => c.slots.length > 1).length >= 20, 'too few outputs with a slot between records');
  });

  test('property: every row is kept, every slipped-in line is a warning at its line number, nothing throws', () => {
    const caseAndInserts = fc
      .constantFrom(...inScope)
      .chain((c) => fc.tuple(fc.constant(c), fc.array(fc.tuple(fc.constantFrom(...c.slots), garbageLine), { minLength: 1, maxLength: 6 })));
    fc.assert(
      fc.property(caseAndInserts, ([c, inserts]) => {
        const base = parseCommandOutput(c.platform, c.command, c.lines.join('\n'));
        // build the dirty output, remembering where each garbage line lands (1-based)
        const bySlot = new Map<number, string[]>();
        for (const [slot, g] of inserts) bySlot.set(slot, [...(bySlot.get(slot) ?? []), g]);
        const dirty: string[] = [];
        const garbageAt: Array<[number, string]> = [];
        for (let k = 0; k <= c.lines.length; k++) {
          for (const g of bySlot.get(k) ?? []) {
            dirty.push(g);
            garbageAt.push([dirty.length, g]);
          }
          if (k < c.lines.length) dirty.push(c.lines[k]!);
        }
        const r = parseCommandOutput(c.platform, c.command, dirty.join('\n'));
        const label = `${c.platform} ${c.getter} ${c.name}`;
        assert.deepEqual(rowsOf(r.model), rowsOf(base.model), `${label}: rows changed`);
        const reported = r.warnings.map((w) => [w.line, w.text]);
        for (const [line, g] of garbageAt) {
          assert.ok(
            reported.some(([l, t]) => l === line && t === g.trim()),
            `${label}: '${g}' at line ${line} not reported (${JSON.stringify(reported)})`,
          );
        }
        assert.equal(r.warnings.length, base.warnings.length + garbageAt.length, `${label}: warnings other than the garbage changed`);
      }),
      { numRuns: Number(process.env.NRX_PROPERTY_RUNS ?? 600) },
    );
  });
});
