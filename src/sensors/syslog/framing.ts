import type { NrxError } from '../../core/errors.js';
import { decodeError } from './message.js';

/** What one chunk of a TCP/TLS stream yielded. */
export interface FramerResult {
  frames: Buffer[];
  errors: NrxError[];
}

const EMPTY = Buffer.alloc(0);

/**
 * RFC 6587 framing for syslog over TCP and TLS, both methods on one connection, decided per
 * frame: `123 <PRI>...` (octet counting: length, space, then a message starting with '<') or a
 * line ended by LF (non-transparent framing; a trailing CR is left for the decoder to strip).
 * Pure: bytes in, frames out. An oversized frame is skipped (its bytes discarded) and reported,
 * and the stream resynchronises after it, so one bad sender line never kills the connection.
 */
export class SyslogStreamFramer {
  private pending: Buffer = EMPTY;
  /** Bytes still to skip of an oversized octet-counted frame. */
  private discard = 0;
  /** Skipping the rest of an oversized LF-framed line. */
  private skipLine = false;
  /** Stream offset of `pending[0]`, for error messages. */
  private offset = 0;

  constructor(
    private readonly source: string,
    private readonly maxFrameBytes = 65_536,
  ) {}

  push(chunk: Buffer): FramerResult {
    const frames: Buffer[] = [];
    const errors: NrxError[] = [];
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const len = data.length;
    let pos = 0;
    for (;;) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, len - pos);
        pos += n;
        this.discard -= n;
        if (this.discard > 0) break;
        continue;
      }
      if (this.skipLine) {
        const lf = data.indexOf(10, pos);
        if (lf < 0) {
          pos = len;
          break;
        }
        pos = lf + 1;
        this.skipLine = false;
        continue;
      }
      if (pos >= len) break;
      const c = data[pos]!;
      if (c >= 49 && c <= 57) {
        let i = pos + 1;
        while (i < len && i - pos < 7 && data[i]! >= 48 && data[i]! <= 57) i++;
        if (i + 1 >= len && i - pos < 7) break; // need the space and the byte after it
        if (data[i] === 32 && data[i + 1] === 60 /* < */) {
          const n = Number(data.toString('latin1', pos, i));
          if (n > this.maxFrameBytes) {
            errors.push(decodeError(`octet-counted frame of ${n} bytes is longer than ${this.maxFrameBytes}`, this.offset + pos, this.source));
            this.discard = n;
            pos = i + 1;
            continue;
          }
          if (len - (i + 1) < n) break; // the rest of the frame has not arrived yet
          frames.push(data.subarray(i + 1, i + 1 + n));
          pos = i + 1 + n;
          continue;
        }
      }
      const lf = data.indexOf(10, pos);
      if (lf < 0) {
        if (len - pos > this.maxFrameBytes) {
          errors.push(decodeError(`line longer than ${this.maxFrameBytes} bytes without a newline`, this.offset + pos, this.source));
          this.skipLine = true;
          pos = len;
        }
        break;
      }
      if (lf - pos > this.maxFrameBytes)
        errors.push(decodeError(`line of ${lf - pos} bytes is longer than ${this.maxFrameBytes}`, this.offset + pos, this.source));
      else if (lf > pos && !(lf === pos + 1 && data[pos] === 13)) frames.push(data.subarray(pos, lf));
      pos = lf + 1;
    }
    this.offset += pos;
    // Copy the tail so a big chunk is not kept alive by a few leftover bytes.
    this.pending = pos < len ? Buffer.from(data.subarray(pos)) : EMPTY;
    return { frames, errors };
  }

  /** The connection closed: a last line without LF is a frame; half an octet-counted frame is an error. */
  end(): FramerResult {
    const rest = this.pending;
    this.pending = EMPTY;
    if (this.discard > 0 || this.skipLine) return { frames: [], errors: [] };
    if (rest.length === 0) return { frames: [], errors: [] };
    const m = /^([1-9]\d{0,6}) </.exec(rest.toString('latin1', 0, Math.min(rest.length, 9)));
    if (m)
      return {
        frames: [],
        errors: [decodeError(`connection closed inside an octet-counted frame (${rest.length} of ${m[1]} bytes)`, this.offset, this.source)],
      };
    return { frames: [rest], errors: [] };
  }
}
