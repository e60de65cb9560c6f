import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NrxError } from '../../src/core/errors.js';
import { filterHosts, matchesFilter, parseFilter } from '../../src/inventory/filter.js';
import type { ResolvedHost } from '../../src/inventory/model.js';

function host(name: string, over: Partial<ResolvedHost> = {}): ResolvedHost {
  return { name, hostname: name, platform: null, port: 22, username: null, credential: null, connectionOptions: {}, data: {}, groups: [], ...over };
}

const HOSTS: ResolvedHost[] = [
  host('dc1-leaf1', { platform: 'frr', groups: ['dc1', 'leaves', 'fabric'], data: { site: 'dc1', role: 'leaf', asn: 65101, tags: ['evpn', 'edge'] } }),
  host('dc1-leaf2', { platform: 'arista_eos', groups: ['dc1', 'leaves', 'fabric'], data: { site: 'dc1', role: 'leaf', asn: 65102, tags: ['evpn'] } }),
  host('dc1-spine1', { platform: 'arista_eos', groups: ['dc1', 'spines', 'fabric'], data: { site: 'dc1', role: 'spine', asn: 65100 } }),
  host('dc2-leaf1', { platform: 'juniper_junos', groups: ['dc2', 'leaves', 'fabric'], data: { site: 'dc2', role: 'leaf', asn: '65201', tags: 'edge' } }),
  host('dc2-border1', { platform: 'cisco_ios', port: 2222, groups: ['dc2'], data: { site: 'dc2', role: 'border', asn: 65200, bgp: { rr: true, cluster: 7 } } }),
];

const names = (expr: string): string[] => filterHosts(HOSTS, expr).map((h) => h.name);

describe('inventory filters', () => {
  test('empty filter = every host', () => {
    assert.equal(names('').length, HOSTS.length);
    assert.equal(names('   ').length, HOSTS.length);
  });

  test('data field shorthands: site, role, and any other data key', () => {
    assert.deepEqual(names('role=leaf'), ['dc1-leaf1', 'dc1-leaf2', 'dc2-leaf1']);
    assert.deepEqual(names('site=dc2'), ['dc2-leaf1', 'dc2-border1']);
    assert.deepEqual(names('asn=65100'), ['dc1-spine1']);
    assert.deepEqual(names('data.bgp.cluster=7'), ['dc2-border1']);
    assert.deepEqual(names('bgp.rr=true'), ['dc2-border1']);
  });

  test('name glob, bare word and quoted values', () => {
    assert.deepEqual(names('name=dc1-*'), ['dc1-leaf1', 'dc1-leaf2', 'dc1-spine1']);
    assert.deepEqual(names('name=dc?-leaf1'), ['dc1-leaf1', 'dc2-leaf1']);
    assert.deepEqual(names('name=dc1-leaf[!1]'), ['dc1-leaf2']);
    assert.deepEqual(names('name=dc[12]-leaf1,site!=dc1'), ['dc2-leaf1']);
    assert.deepEqual(names('*border*'), ['dc2-border1']);
    assert.deepEqual(names("name == 'dc1-leaf1'"), ['dc1-leaf1']);
    assert.deepEqual(names('name="dc1-leaf1" or "dc2-leaf1"'), ['dc1-leaf1', 'dc2-leaf1']);
  });

  test('group (including inherited groups), platform, port', () => {
    assert.deepEqual(names('group=fabric'), ['dc1-leaf1', 'dc1-leaf2', 'dc1-spine1', 'dc2-leaf1']);
    assert.deepEqual(names('groups=spine*'), ['dc1-spine1']);
    assert.deepEqual(names('platform=arista_eos'), ['dc1-leaf2', 'dc1-spine1']);
    assert.deepEqual(names('port=2222'), ['dc2-border1']);
  });

  test('tag: data.tags contains (a single string counts as one tag)', () => {
    assert.deepEqual(names('tag=edge'), ['dc1-leaf1', 'dc2-leaf1']);
    assert.deepEqual(names('tags=ev*'), ['dc1-leaf1', 'dc1-leaf2']);
    assert.deepEqual(names('data.tags=evpn'), ['dc1-leaf1', 'dc1-leaf2']);
  });

  test('numeric comparisons (numbers and numeric strings); non-numbers never match', () => {
    assert.deepEqual(names('data.asn>=65200'), ['dc2-leaf1', 'dc2-border1']);
    assert.deepEqual(names('data.asn>65200'), ['dc2-leaf1']);
    assert.deepEqual(names('asn<65101'), ['dc1-spine1']);
    assert.deepEqual(names('asn<=65101'), ['dc1-leaf1', 'dc1-spine1']);
    assert.deepEqual(names('site>1'), []);
    assert.deepEqual(names('port>100'), ['dc2-border1']);
  });

  test('!= is not =, so hosts without the field match it', () => {
    assert.deepEqual(names('role!=leaf'), ['dc1-spine1', 'dc2-border1']);
    assert.deepEqual(names('tag!=edge'), ['dc1-leaf2', 'dc1-spine1', 'dc2-border1']);
    assert.deepEqual(names('platform!=*os*'), ['dc1-leaf1']);
  });

  test('and, or, not, !, comma, parentheses and precedence (and binds tighter than or)', () => {
    assert.deepEqual(names('role=leaf and site=dc1'), ['dc1-leaf1', 'dc1-leaf2']);
    assert.deepEqual(names('role=leaf, site=dc1'), ['dc1-leaf1', 'dc1-leaf2']);
    assert.deepEqual(names('role=spine or role=border'), ['dc1-spine1', 'dc2-border1']);
    assert.deepEqual(names('role=border or role=leaf and site=dc1'), ['dc1-leaf1', 'dc1-leaf2', 'dc2-border1']);
    assert.deepEqual(names('(role=border or role=leaf) and site=dc2'), ['dc2-leaf1', 'dc2-border1']);
    assert.deepEqual(names('not site=dc1'), ['dc2-leaf1', 'dc2-border1']);
    assert.deepEqual(names('!(site=dc1 or role=border)'), ['dc2-leaf1']);
    assert.deepEqual(names('NOT not site=dc1'), ['dc1-leaf1', 'dc1-leaf2', 'dc1-spine1']);
    assert.deepEqual(names('site=dc1 AND (tag=edge OR role=spine)'), ['dc1-leaf1', 'dc1-spine1']);
  });

  test('a list of names: leaf1,leaf2 and name in (..) select any of them; in works on every field', () => {
    assert.deepEqual(names('dc1-leaf1,dc2-leaf1'), ['dc1-leaf1', 'dc2-leaf1']);
    assert.deepEqual(names('dc1-leaf1, dc2-*, "dc1-spine1"'), ['dc1-leaf1', 'dc1-spine1', 'dc2-leaf1', 'dc2-border1']);
    assert.deepEqual(names('name in (dc1-leaf1, dc2-leaf1)'), ['dc1-leaf1', 'dc2-leaf1']);
    assert.deepEqual(names('role in (spine, border) and site=dc2'), ['dc2-border1']);
    assert.deepEqual(names('name in (dc1-*) and not role in (spine)'), ['dc1-leaf1', 'dc1-leaf2']);
    assert.deepEqual(names('(dc1-leaf1, dc1-leaf2) and platform=frr'), ['dc1-leaf1']);
  });

  test('a filter that would match nothing because of its syntax is an error showing the right form', () => {
    const refused: Array<[string, RegExp]> = [
      ['role:leaf', /"role:leaf" is not a condition and matches no device name; write role=leaf/],
      ['site=dc1 and data.asn:65101', /write data\.asn=65101/],
      ['dc1-leaf1, role=leaf', /a comma joins either names .* or conditions .*, not both; write e\.g\. 'name in \(leaf1, leaf2\) and role=leaf'/],
      ['dc1-leaf1 and dc1-leaf2, dc2-leaf1', /not both/],
      ['name in (a b)', /expected ',' or '\)' in the list/],
      ['name in ()', /expected a value in the list/],
    ];
    for (const [expr, msg] of refused)
      assert.throws(
        () => parseFilter(expr),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_FILTER_INVALID' && msg.test(e.message),
        expr,
      );
    // a name with a colon can still be selected, quoted
    assert.deepEqual(
      filterHosts([host('rtr:1'), ...HOSTS], '"rtr:1"').map((h) => h.name),
      ['rtr:1'],
    );
  });

  test('errors are NRX_ERR_FILTER_INVALID and name the position', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['role=', 6, /expected a value after '='/],
      ['role=leaf and', 14, /expected a condition/],
      ['(role=leaf', 11, /expected '\)' to close the '\(' at position 1/],
      ['role=leaf)', 10, /unmatched '\)'/],
      ['role=leaf site=dc1', 11, /expected 'and', 'or' or ','/],
      ['asn>=many', 6, /compares numbers/],
      ['name="leaf', 6, /unterminated double-quoted string/],
      ['data=1', 1, /'data' needs a key/],
      ['a..b=1', 1, /expected a field name/],
      ['=leaf', 1, /expected a condition/],
      ['and role=leaf', 1, /expected a condition before 'and'/],
    ];
    for (const [expr, pos, msg] of cases) {
      assert.throws(
        () => parseFilter(expr),
        (e: unknown) =>
          e instanceof NrxError &&
          e.code === 'NRX_ERR_FILTER_INVALID' &&
          e.details.position === pos &&
          msg.test(e.message) &&
          e.message.includes(`position ${pos}`),
        `${expr} -> position ${pos}, ${msg}`,
      );
    }
  });

  test('pathological nesting and length are refused, not a stack overflow', () => {
    assert.throws(
      () => parseFilter('('.repeat(2000) + 'a' + ')'.repeat(2000)),
      (e: unknown) => e instanceof NrxError && /nests deeper/.test(e.message),
    );
    assert.throws(
      () => parseFilter('not '.repeat(1000) + 'a'),
      (e: unknown) => e instanceof NrxError && /nests deeper/.test(e.message),
    );
    assert.throws(
      () => parseFilter('a'.repeat(20_000)),
      (e: unknown) => e instanceof NrxError && /longer than/.test(e.message),
    );
    // A long flat list of conditions is fine: and/or are n-ary, not a deep tree.
    const many = Array.from({ length: 700 }, (_, i) => `name=h${i}`).join(' or ');
    assert.equal(filterHosts(HOSTS, many).length, 0);
  });

  test('property: parseFilter throws nothing but NrxError, and what it parses matches without throwing', () => {
    const alphabet = fc.constantFrom(...'abc01 =!<>(),"\'*?[]-.\\', 'and ', 'or ', 'not ', 'name', 'tag', 'data.', 'group', '>=', '!=');
    const hostArb = fc.record({
      name: fc.string(),
      data: fc.dictionary(
        fc.constantFrom('a', 'b', 'tags', 'site'),
        fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()), fc.constant(null), fc.boolean()),
      ),
      groups: fc.array(fc.string()),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet).map((a) => a.join('')),
        ),
        hostArb,
        (expr, h) => {
          let f;
          try {
            f = parseFilter(expr);
          } catch (e) {
            if (!(e instanceof NrxError) || e.code !== 'NRX_ERR_FILTER_INVALID') throw e;
            assert.match(e.message, /at position \d+/);
            return;
          }
          const r = matchesFilter(f, host(h.name, { data: h.data, groups: h.groups }));
          assert.equal(typeof r, 'boolean');
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('property: not X is the complement of X, and a comma is the same as and', () => {
    const atoms = fc.constantFrom('role=leaf', 'site=dc1', 'tag=edge', 'asn>65150', 'name=*1', 'group=fabric', 'platform!=frr');
    fc.assert(
      fc.property(atoms, atoms, (a, b) => {
        for (const h of HOSTS) {
          assert.equal(matchesFilter(parseFilter(`not (${a})`), h), !matchesFilter(parseFilter(a), h));
          assert.equal(matchesFilter(parseFilter(`${a}, ${b}`), h), matchesFilter(parseFilter(`${a} and ${b}`), h));
        }
      }),
    );
  });
});
