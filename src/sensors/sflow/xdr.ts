import { NrxError } from '../../core/errors.js';

/**
 * A bounds-checked cursor over XDR (RFC 4506) data: big-endian 32-bit words, opaque data padded
 * to 4 bytes. Every read checks the end first, so hostile lengths fail with the offset and the
 * field that overran instead of reading past the datagram.
 */
export class XdrReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    /** Exclusive end: reads past it fail even when the buffer goes on (a record's own length). */
    readonly end = buf.length,
    private readonly parent?: XdrReader,
    private readonly label = '',
    private readonly index = -1,
  ) {
    this.pos = start;
  }

  /**
   * Where this reader sits, e.g. `samples[2].records[1]`. Built only when an error names a
   * field: the hot path never concatenates field names.
   */
  path(): string {
    if (!this.parent) return this.label;
    const up = this.parent.path();
    const me = this.index >= 0 ? `${this.label}[${this.index}]` : this.label;
    return up ? `${up}.${me}` : me;
  }

  private name(field: string, index = -1): string {
    const p = this.path();
    const f = index >= 0 ? `${field}[${index}]` : field;
    return p ? `${p}.${f}` : f;
  }

  fail(offset: number, field: string, message: string, index = -1): NrxError {
    return decodeError(offset, this.name(field, index), message);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, field: string, index = -1): void {
    if (n < 0 || this.pos + n > this.end) throw this.truncated(field, n, index);
  }

  private truncated(field: string, wanted: number, index = -1): NrxError {
    return this.fail(this.pos, field, `truncated: needs ${wanted} bytes, ${Math.max(0, this.end - this.pos)} left`, index);
  }

  /** `index` names an element of a list (`samples[3].data_format` is u32('data_format', ...) on a `samples[3]` path). */
  u32(field: string, index = -1): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(field, 4, index);
    const b = this.buf;
    this.pos = p + 4;
    // plain indexing: readUInt32BE re-validates its argument on every call
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** Unsigned 64-bit as a number: exact below 2^53, which byte and packet counters stay under for centuries. */
  u64(field: string): number {
    if (this.pos + 8 > this.end) throw this.truncated(field, 8);
    const v = this.buf.readUInt32BE(this.pos) * 4294967296 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  /** Fixed-length opaque: `n` bytes plus padding to a word. */
  fixed(n: number, field: string): Buffer {
    const padded = (n + 3) & ~3;
    this.need(padded, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += padded;
    return out;
  }

  /** Variable-length opaque: a length word, the bytes, padding. */
  opaque(field: string, max = this.end - this.pos): Buffer {
    const at = this.pos;
    const n = this.u32(`${field}.length`);
    if (n > max) throw this.fail(at, `${field}.length`, `length ${n} exceeds the ${max} allowed`);
    return this.fixed(n, field);
  }

  string(field: string, max?: number): string {
    return this.opaque(field, max).toString('utf8');
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  /** A sub-reader over the next `n` bytes (a record or sample body), named `label[index]`; this cursor moves past them. */
  sub(n: number, label: string, index = -1): XdrReader {
    this.need(n, label, index);
    const r = new XdrReader(this.buf, this.pos, this.pos + n, this, label, index);
    this.pos += n;
    return r;
  }
}

export function decodeError(offset: number, field: string, message: string): NrxError {
  return new NrxError('NRX_ERR_DECODE', `offset ${offset}, field '${field}': ${message}`, { details: { offset, field } });
}

export function ipv4(b: Buffer, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text form: lower case, longest run of zero groups (two or more) as `::`. */
export function ipv6(b: Buffer, at = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

const HEX_PAIR = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** aa:bb:cc:dd:ee:ff. A table of hex pairs: MACs are formatted for every sampled frame. */
export function mac(b: Buffer, at = 0): string {
  return `${HEX_PAIR[b[at]!]}:${HEX_PAIR[b[at + 1]!]}:${HEX_PAIR[b[at + 2]!]}:${HEX_PAIR[b[at + 3]!]}:${HEX_PAIR[b[at + 4]!]}:${HEX_PAIR[b[at + 5]!]}`;
}
