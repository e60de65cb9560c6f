import { NrxError } from '../../core/errors.js';

/**
 * A bounds-checked BER (X.690) reader for SNMP: definite lengths only (SNMP forbids the
 * indefinite form), every length checked against its enclosing element, so hostile bytes fail
 * with the offset and field instead of reading past the message.
 */
export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
  ipAddress: 0x40,
  counter32: 0x41,
  gauge32: 0x42,
  timeTicks: 0x43,
  opaque: 0x44,
  counter64: 0x46,
  noSuchObject: 0x80,
  noSuchInstance: 0x81,
  endOfMibView: 0x82,
  trapV1: 0xa4,
  inform: 0xa6,
  trapV2: 0xa7,
  report: 0xa8,
} as const;

export function berError(offset: number, field: string, message: string, code: 'NRX_ERR_DECODE' | 'NRX_ERR_SNMP_AUTH' = 'NRX_ERR_DECODE'): NrxError {
  return new NrxError(code, `offset ${offset}, field '${field}': ${message}`, { details: { offset, field } });
}

/** The most sub-identifiers an SNMP OID may have (RFC 2578). */
const MAX_OID_ARCS = 128;

export class BerReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Read a tag and length; returns the tag, leaves `pos` at the value and returns its end. */
  header(field: string): { tag: number; start: number; end: number } {
    const at = this.pos;
    if (at + 2 > this.end) throw berError(at, field, 'truncated: no tag and length');
    const tag = this.buf[at]!;
    if ((tag & 0x1f) === 0x1f) throw berError(at, field, `multi-byte tag 0x${tag.toString(16)} is not used by SNMP`);
    let len = this.buf[at + 1]!;
    let p = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw berError(at + 1, field, 'indefinite length is not allowed in SNMP');
      if (n > 4) throw berError(at + 1, field, `length of ${n} octets is too long`);
      if (p + n > this.end) throw berError(at + 1, field, 'truncated length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[p + i]!;
      p += n;
    }
    if (p + len > this.end) throw berError(at, field, `length ${len} runs past the end of its container (${this.end - p} bytes left)`);
    this.pos = p;
    return { tag, start: p, end: p + len };
  }

  /** Enter a constructed element of the given tag: a reader over its contents; this one moves past it. */
  enter(tag: number, field: string): BerReader {
    const at = this.pos;
    const h = this.header(field);
    if (h.tag !== tag) throw berError(at, field, `expected tag 0x${tag.toString(16)}, found 0x${h.tag.toString(16)}`);
    this.pos = h.end;
    return new BerReader(this.buf, h.start, h.end);
  }

  /** A primitive value of the given tag: its bytes. */
  bytes(tag: number, field: string): Buffer {
    const at = this.pos;
    const h = this.header(field);
    if (h.tag !== tag) throw berError(at, field, `expected tag 0x${tag.toString(16)}, found 0x${h.tag.toString(16)}`);
    this.pos = h.end;
    return this.buf.subarray(h.start, h.end);
  }

  integer(field: string): number {
    return signedInt(this.bytes(TAG.integer, field), this.pos, field);
  }

  octets(field: string): Buffer {
    return this.bytes(TAG.octetString, field);
  }

  oid(field: string): string {
    const at = this.pos;
    const h = this.header(field);
    if (h.tag !== TAG.oid) throw berError(at, field, `expected tag 0x${TAG.oid.toString(16)}, found 0x${h.tag.toString(16)}`);
    this.pos = h.end;
    return oidText(this.buf, h.start, h.end, at, field);
  }
}

export function signedInt(b: Buffer, at: number, field: string): number {
  if (b.length === 0) throw berError(at, field, 'empty INTEGER');
  if (b.length > 6) throw berError(at, field, `INTEGER of ${b.length} octets is out of range`);
  // two's complement: a negative number starts from -1 so each octet shifts in below it
  let v = b[0]! & 0x80 ? -1 : 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** Unsigned (Counter32, Gauge32, TimeTicks, Counter64): a decimal string when beyond 2^53. */
export function unsignedInt(b: Buffer, at: number, field: string, maxOctets: number): number | string {
  if (b.length === 0) throw berError(at, field, 'empty unsigned integer');
  if (b.length > maxOctets + 1 || (b.length === maxOctets + 1 && b[0] !== 0)) throw berError(at, field, `unsigned value of ${b.length} octets is out of range`);
  // up to six octets fits a double exactly: skip BigInt for sysUpTime and counters, the common case
  if (b.length <= 6) {
    let n = 0;
    for (const x of b) n = n * 256 + x;
    return n;
  }
  let big = 0n;
  for (const x of b) big = (big << 8n) | BigInt(x);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

export function decodeOid(b: Buffer, at: number, field: string): string {
  return oidText(b, 0, b.length, at, field);
}

/**
 * The dotted text of the OID whose contents are buf[start, end). Every varbind name goes
 * through here, so the text is built as it is read (no array of arcs, no copy of the bytes).
 */
export function oidText(buf: Buffer, start: number, end: number, at: number, field: string): string {
  if (start >= end) throw berError(at, field, 'empty OBJECT IDENTIFIER');
  let text = '';
  let arcs = 0;
  let v = 0;
  let inArc = false;
  for (let i = start; i < end; i++) {
    const x = buf[i]!;
    if (!inArc && x === 0x80) throw berError(at, field, 'OID sub-identifier has a leading 0x80 octet');
    v = v * 128 + (x & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER) throw berError(at, field, 'OID sub-identifier is too large');
    inArc = true;
    if (!(x & 0x80)) {
      // the first sub-identifier packs two arcs (X.690 8.19.4)
      if (arcs === 0) {
        text = v < 80 ? `${Math.floor(v / 40)}.${v % 40}` : `2.${v - 80}`;
        arcs = 2;
      } else {
        text += `.${v}`;
        arcs++;
      }
      v = 0;
      inArc = false;
      if (arcs > MAX_OID_ARCS) throw berError(at, field, `OID has more than ${MAX_OID_ARCS} sub-identifiers`);
    }
  }
  if (inArc) throw berError(at, field, 'OID ends inside a sub-identifier');
  return text;
}
