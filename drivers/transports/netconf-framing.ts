import { NrxError } from '../../src/core/errors.js';

/**
 * NETCONF message framing over SSH (RFC 6242), as pure incremental decoders: bytes in,
 * whole messages out, no I/O. Both sides start in base:1.0 end-of-message framing
 * (`]]>]]>` after each message); when both hellos announce base:1.1 the session switches to
 * chunked framing (`\n#<len>\n<data>` ... `\n##\n`). One decoder handles both, because the
 * switch happens mid-stream and bytes already buffered must be read with the new rules.
 *
 * Messages are collected as bytes and decoded as UTF-8 only when complete, so a multi-byte
 * character split across SSH packets or chunks survives.
 */

export type Framing = 'eom' | 'chunked';

const EOM = Buffer.from(']]>]]>');
const LF = 0x0a;
const HASH = 0x23;
/** RFC 6242: chunk-size is 1..4294967295, at most 10 digits. */
const MAX_CHUNK_SIZE = 4294967295;
const DEFAULT_MAX_MESSAGE = 256 * 1024 * 1024;

export interface FrameDecoderOptions {
  /** Refuse a message larger than this many bytes (a hostile or broken peer). Default 256 MiB. */
  maxMessageBytes?: number;
  /** Named in error messages: which session this stream belongs to. */
  label?: string;
}

type ChunkState =
  | { kind: 'header' } // expecting "\n#" then digits or "#"
  | { kind: 'data'; left: number };

export class FrameDecoder {
  private framing: Framing = 'eom';
  private readonly maxMessage: number;
  private readonly label: string;
  /** Bytes received and not yet consumed (both framings). */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Body bytes of the message being assembled (chunked framing). */
  private body: Buffer[] = [];
  private bodyLen = 0;
  private chunkState: ChunkState = { kind: 'header' };
  /** Stream offset of pending[0][0], for error messages. */
  private offset = 0;
  private failure: NrxError | null = null;

  constructor(opts: FrameDecoderOptions = {}) {
    this.maxMessage = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    this.label = opts.label ?? 'NETCONF';
  }

  get mode(): Framing {
    return this.framing;
  }

  /** Switch to base:1.1 chunked framing; bytes already buffered are read as chunks. */
  useChunked(): void {
    this.framing = 'chunked';
  }

  /** Feed bytes; returns every message completed by them. Throws NRX_ERR_NETCONF_FRAMING on a broken stream, and again on every later call. */
  push(bytes: Uint8Array): string[] {
    if (this.failure) throw this.failure;
    if (bytes.length) {
      this.pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      this.pendingLen += bytes.length;
    }
    const out: string[] = [];
    try {
      for (;;) {
        const msg = this.framing === 'eom' ? this.nextEom() : this.nextChunked();
        if (msg === null) break;
        out.push(msg);
      }
    } catch (e) {
      this.failure = e as NrxError;
      throw e;
    }
    return out;
  }

  /** The stream ended: an error if it stopped inside a message, so a truncated reply is never taken for a whole one. */
  end(): void {
    if (this.failure) throw this.failure;
    const held = this.pendingLen + this.bodyLen;
    const insideChunk = this.framing === 'chunked' && this.chunkState.kind === 'data';
    if ((held > 0 || insideChunk) && !(this.framing === 'eom' && isWhitespace(this.joinPending()))) {
      throw this.fail(`stream ended inside a message (${held} bytes without ${this.framing === 'eom' ? "']]>]]>'" : "'\\n##\\n'"})`);
    }
  }

  private nextEom(): string | null {
    if (this.pendingLen < EOM.length) return null;
    // Join only when the marker can be present: search the last chunk plus the marker's length before it.
    const last = this.pending[this.pending.length - 1]!;
    if (this.pending.length > 1 && last.indexOf(EOM) < 0 && !this.markerAcrossBoundary()) {
      if (this.pendingLen > this.maxMessage) throw this.fail(`message longer than ${this.maxMessage} bytes without ']]>]]>'`);
      return null;
    }
    const all = this.joinPending();
    const at = all.indexOf(EOM);
    if (at < 0) {
      if (all.length > this.maxMessage) throw this.fail(`message longer than ${this.maxMessage} bytes without ']]>]]>'`);
      return null;
    }
    const msg = all.subarray(0, at).toString('utf8');
    this.consume(all, at + EOM.length);
    return msg;
  }

  /** Whether ]]>]]> straddles the last two buffered pieces. */
  private markerAcrossBoundary(): boolean {
    const last = this.pending[this.pending.length - 1]!;
    const prev = this.pending[this.pending.length - 2]!;
    const tail = Buffer.concat([prev.subarray(Math.max(0, prev.length - EOM.length + 1)), last.subarray(0, EOM.length - 1)]);
    // Earlier boundaries were checked when their pieces arrived; a short middle piece could still hide one, so fall back to a full join then.
    return tail.indexOf(EOM) >= 0 || this.pending.some((p) => p.length < EOM.length);
  }

  private nextChunked(): string | null {
    for (;;) {
      if (this.chunkState.kind === 'data') {
        if (this.pendingLen === 0) return null;
        const take = this.takePending(this.chunkState.left);
        this.body.push(take);
        this.bodyLen += take.length;
        this.chunkState.left -= take.length;
        if (this.chunkState.left > 0) return null;
        this.chunkState = { kind: 'header' };
        continue;
      }
      const header = this.peekPending(13); // "\n#" + 10 digits + "\n", or "\n##\n"
      if (header.length === 0) return null;
      if (header[0] !== LF) throw this.fail(`expected LF starting a chunk header, got ${byteName(header[0]!)}`);
      if (header.length < 2) return null;
      if (header[1] !== HASH) throw this.fail(`expected '#' after LF in a chunk header, got ${byteName(header[1]!)}`, 1);
      if (header.length < 3) return null;
      if (header[2] === HASH) {
        if (header.length < 4) return null;
        if (header[3] !== LF) throw this.fail(`expected LF ending the end-of-chunks marker, got ${byteName(header[3]!)}`, 3);
        if (this.bodyLen === 0) throw this.fail('end-of-chunks marker before any chunk (an empty message)');
        this.dropPending(4);
        const msg = Buffer.concat(this.body, this.bodyLen).toString('utf8');
        this.body = [];
        this.bodyLen = 0;
        return msg;
      }
      let i = 2;
      let size = 0;
      while (i < header.length && header[i]! >= 0x30 && header[i]! <= 0x39) {
        if (i === 2 && header[i] === 0x30) throw this.fail('chunk size starts with 0 (must be 1..4294967295)', i);
        size = size * 10 + (header[i]! - 0x30);
        i++;
      }
      if (i === 2) throw this.fail(`expected chunk size digits after '\\n#', got ${byteName(header[2]!)}`, 2);
      if (i - 2 > 10 || size > MAX_CHUNK_SIZE) throw this.fail(`chunk size ${i - 2 > 10 ? 'has more than 10 digits' : `${size} exceeds 4294967295`}`, 2);
      if (i === header.length) {
        if (header.length === 13) throw this.fail('chunk size has more than 10 digits', 2);
        return null;
      }
      if (header[i] !== LF) throw this.fail(`expected LF after chunk size ${size}, got ${byteName(header[i]!)}`, i);
      if (this.bodyLen + size > this.maxMessage) throw this.fail(`message longer than ${this.maxMessage} bytes`);
      this.dropPending(i + 1);
      this.chunkState = { kind: 'data', left: size };
    }
  }

  private joinPending(): Buffer {
    if (this.pending.length === 1) return this.pending[0]!;
    const all = Buffer.concat(this.pending, this.pendingLen);
    this.pending = [all];
    return all;
  }

  private consume(all: Buffer, n: number): void {
    const rest = all.subarray(n);
    this.pending = rest.length ? [rest] : [];
    this.pendingLen = rest.length;
    this.offset += n;
  }

  private peekPending(n: number): Buffer {
    if (this.pending.length === 0) return Buffer.alloc(0);
    if (this.pending[0]!.length >= n || this.pending.length === 1) return this.pending[0]!.subarray(0, n);
    return this.joinPending().subarray(0, n);
  }

  private dropPending(n: number): void {
    this.takePending(n);
  }

  /** Remove and return up to n bytes from the front of pending. */
  private takePending(n: number): Buffer {
    const first = this.pending[0]!;
    let out: Buffer;
    if (first.length > n) {
      out = first.subarray(0, n);
      this.pending[0] = first.subarray(n);
    } else {
      out = first;
      this.pending.shift();
    }
    this.pendingLen -= out.length;
    this.offset += out.length;
    return out;
  }

  private fail(what: string, at = 0): NrxError {
    return new NrxError(
      'NRX_ERR_NETCONF_FRAMING',
      `${this.label}: ${this.framing === 'eom' ? 'base:1.0' : 'base:1.1 chunked'} framing broken at byte ${this.offset + at}: ${what}`,
      {
        details: { framing: this.framing, offset: this.offset + at },
      },
    );
  }
}

function byteName(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`;
}

function isWhitespace(b: Buffer): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  return true;
}

/** One message in base:1.0 framing. */
export function encodeEom(xml: string): Buffer {
  return Buffer.concat([Buffer.from(xml, 'utf8'), EOM]);
}

/** One message in base:1.1 chunked framing; large messages are split so no chunk exceeds maxChunk bytes. */
export function encodeChunked(xml: string, maxChunk = 1024 * 1024): Buffer {
  const body = Buffer.from(xml, 'utf8');
  if (body.length === 0) throw new NrxError('NRX_ERR_NETCONF_FRAMING', 'cannot frame an empty NETCONF message (RFC 6242 needs at least one chunk)');
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += maxChunk) {
    const piece = body.subarray(i, Math.min(body.length, i + maxChunk));
    parts.push(Buffer.from(`\n#${piece.length}\n`), piece);
  }
  parts.push(Buffer.from('\n##\n'));
  return Buffer.concat(parts);
}

export function encodeMessage(framing: Framing, xml: string): Buffer {
  return framing === 'eom' ? encodeEom(xml) : encodeChunked(xml);
}
