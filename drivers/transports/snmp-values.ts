import { NrxError } from '../../src/core/errors.js';
import type { SnmpType, SnmpValue } from '../contract/snmp.js';
import { lookupOid, nameOfOid } from './snmp-names.js';

/**
 * SNMP values as netreflex shows them: `{oid, name, type, value}`, plain JSON.
 * - Integer, Counter32, Gauge32, TimeTicks (hundredths of a second): numbers (all fit 2^32).
 * - Counter64 (ifHCInOctets...): a decimal string, because it passes 2^53 and JSON has no
 *   bigint; `BigInt(value)` gets the exact number back.
 * - OctetString: text when it is printable UTF-8, else colon hex (`00:1b:21:3a:4f:10`), so a
 *   MAC address reads as one.
 * - Enumerated objects from the name table also get `label` (`ifOperStatus` 2 -> `down`).
 * - noSuchObject / noSuchInstance / endOfMibView: value null and that type: data, not an error.
 */

/** net-snmp's ObjectType numbers (the ASN.1/SMI tags). */
export const TYPE_BY_TAG: Readonly<Record<number, SnmpType>> = {
  1: 'Boolean',
  2: 'Integer',
  4: 'OctetString',
  5: 'Null',
  6: 'ObjectIdentifier',
  64: 'IpAddress',
  65: 'Counter32',
  66: 'Gauge32',
  67: 'TimeTicks',
  68: 'Opaque',
  70: 'Counter64',
  128: 'noSuchObject',
  129: 'noSuchInstance',
  130: 'endOfMibView',
};

export const TAG_BY_TYPE: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(TYPE_BY_TAG).map(([tag, name]) => [name, Number(tag)]));

/** One net-snmp varbind -> SnmpValue. Unknown tags are refused with the OID named. */
export function decodeVarbind(vb: { oid: string; type: number; value: unknown }): SnmpValue {
  const oid = vb.oid.replace(/^\./, '');
  const type = TYPE_BY_TAG[vb.type];
  if (!type) throw new NrxError('NRX_ERR_SNMP_ERROR', `SNMP value of ${oid} has an unknown type tag ${vb.type}`);
  const out: SnmpValue = { oid, name: nameOfOid(oid), type, value: decodeValue(type, vb.value, oid) };
  if (typeof out.value === 'number') {
    const label = lookupOid(oid)?.object.labels?.[out.value];
    if (label) out.label = label;
  }
  return out;
}

function decodeValue(type: SnmpType, raw: unknown, oid: string): SnmpValue['value'] {
  switch (type) {
    case 'noSuchObject':
    case 'noSuchInstance':
    case 'endOfMibView':
    case 'Null':
      return null;
    case 'Boolean':
      return Boolean(raw);
    case 'Integer':
    case 'Counter32':
    case 'Gauge32':
    case 'TimeTicks':
      if (typeof raw === 'number') return raw;
      throw new NrxError('NRX_ERR_SNMP_ERROR', `SNMP ${type} value of ${oid} is not a number`);
    case 'Counter64':
      return counter64(raw, oid);
    case 'OctetString':
      return Buffer.isBuffer(raw) ? octets(raw) : String(raw);
    case 'Opaque':
      return Buffer.isBuffer(raw) ? hex(raw) : String(raw);
    case 'IpAddress':
    case 'ObjectIdentifier':
      return String(raw);
  }
}

/** net-snmp hands Counter64 over as big-endian bytes (or a number for small values). */
export function counter64(raw: unknown, oid = '?'): string {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return String(raw);
  if (typeof raw === 'bigint' && raw >= 0n) return raw.toString();
  if (Buffer.isBuffer(raw) && raw.length <= 9) {
    let n = 0n;
    for (const b of raw) n = (n << 8n) | BigInt(b);
    return n.toString();
  }
  throw new NrxError('NRX_ERR_SNMP_ERROR', `SNMP Counter64 value of ${oid} is not a 64-bit unsigned number`);
}

function octets(b: Buffer): string {
  const text = b.toString('utf8');
  // Printable: no replacement characters and no control characters other than tab/newline.
  if (!text.includes('\uFFFD') && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return text;
  return hex(b);
}

function hex(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
