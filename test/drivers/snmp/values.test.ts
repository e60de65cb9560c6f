import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIB_OBJECTS, lookupOid, nameOfOid, resolveOid } from '../../../drivers/transports/snmp-names.js';
import { counter64, decodeVarbind } from '../../../drivers/transports/snmp-values.js';
import { compareOids, inSubtree } from '../../../drivers/transports/snmp.js';
import { NrxError } from '../../../src/core/errors.js';

describe('SNMP name table', () => {
  test('names resolve with module prefix, instance suffix, any case; numeric OIDs pass through', () => {
    assert.equal(resolveOid('ifOperStatus'), '1.3.6.1.2.1.2.2.1.8');
    assert.equal(resolveOid('IF-MIB::ifOperStatus.3'), '1.3.6.1.2.1.2.2.1.8.3');
    assert.equal(resolveOid('sysname.0'), '1.3.6.1.2.1.1.5.0');
    assert.equal(resolveOid('.1.3.6.1.2.1.1.5.0'), '1.3.6.1.2.1.1.5.0');
    assert.equal(resolveOid('bgpPeerState.10.0.1.1'), '1.3.6.1.2.1.15.3.1.2.10.0.1.1');
    assert.equal(resolveOid('dot3adAggPortAttachedAggID'), '1.2.840.10006.300.43.1.2.1.1.13');
    assert.equal(resolveOid('ifHCInOctets'), '1.3.6.1.2.1.31.1.1.1.6');
  });

  test('unknown names and malformed suffixes are NRX_ERR_PARAM_INVALID naming the input', () => {
    for (const bad of ['ifBogus', 'ifOperStatus.x', 'ifOperStatus.', '', '1.3.6.a']) {
      assert.throws(
        () => resolveOid(bad, 'oids'),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_PARAM_INVALID' && e.message.includes(`'${bad}'`) && e.location.field === 'oids',
      );
    }
  });

  test('every table entry round-trips: name -> OID -> name, and OIDs are unique', () => {
    const oids = new Set<string>();
    for (const o of MIB_OBJECTS) {
      assert.ok(!oids.has(o.oid), `duplicate OID ${o.oid}`);
      oids.add(o.oid);
      assert.equal(resolveOid(o.name), o.oid);
      assert.equal(nameOfOid(`${o.oid}.7`), `${o.name}.7`);
    }
    assert.equal(lookupOid('1.3.6.1.2.1.15.3.1.9.10.0.1.1')?.instance, '10.0.1.1');
    assert.equal(nameOfOid('1.3.6.1.4.1.9.9.1'), '1.3.6.1.4.1.9.9.1');
  });
});

describe('SNMP values', () => {
  test('enumerations get labels; Counter64 bytes become an exact decimal string past 2^53', () => {
    assert.deepEqual(decodeVarbind({ oid: '1.3.6.1.2.1.2.2.1.8.2', type: 2, value: 2 }), {
      oid: '1.3.6.1.2.1.2.2.1.8.2',
      name: 'ifOperStatus.2',
      type: 'Integer',
      value: 2,
      label: 'down',
    });
    assert.equal(decodeVarbind({ oid: '1.3.6.1.2.1.15.3.1.2.10.0.1.1', type: 2, value: 6 }).label, 'established');
    const big = decodeVarbind({ oid: '1.3.6.1.2.1.31.1.1.1.6.1', type: 70, value: Buffer.from('00ffffffffffffffff', 'hex') });
    assert.equal(big.value, '18446744073709551615');
    assert.equal(big.type, 'Counter64');
    assert.equal(decodeVarbind({ oid: '1.3.6.1.2.1.2.2.1.6.2', type: 4, value: Buffer.from('001b213a4f10', 'hex') }).value, '00:1b:21:3a:4f:10');
    assert.equal(decodeVarbind({ oid: '1.3.6.1.2.1.1.5.0', type: 4, value: Buffer.from('leaf1') }).value, 'leaf1');
    assert.equal(decodeVarbind({ oid: '1.3.6.1.2.1.1.5.0', type: 129, value: null }).value, null);
  });

  test('Counter64 matches BigInt for any 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        const hex = n.toString(16).padStart(16, '0');
        assert.equal(counter64(Buffer.from(hex, 'hex')), n.toString());
      }),
    );
  });

  test('hostile varbinds never crash: a value or NRX_ERR_SNMP_ERROR', () => {
    const raw = fc.oneof(
      fc.integer(),
      fc.string(),
      fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
      fc.constant(null),
      fc.double(),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 140 }), raw, (type, value) => {
        try {
          const v = decodeVarbind({ oid: '1.3.6.1.2.1.1.1.0', type, value });
          assert.ok(v.value === null || ['number', 'string', 'boolean'].includes(typeof v.value));
          JSON.stringify(v);
        } catch (e) {
          assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_SNMP_ERROR', String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('OID order and subtree tests used by walk', () => {
    assert.ok(compareOids('1.3.6.1.2.1.2.2.1.8.10', '1.3.6.1.2.1.2.2.1.8.9') > 0);
    assert.ok(compareOids('1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.8.1') < 0);
    assert.equal(compareOids('.1.3.6', '1.3.6'), 0);
    assert.ok(inSubtree('1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.8.1'));
    assert.ok(!inSubtree('1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.80.1'));
    assert.ok(!inSubtree('1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.8'));
  });
});
