import { decodeError, MAX_MESSAGE_BYTES, type DecodeOptions, type SyslogMessage } from './message.js';
import { parse3164 } from './rfc3164.js';
import { looksLike5424, parse5424 } from './rfc5424.js';

/**
 * Bytes from the network -> one SyslogMessage. Pure: the only inputs are the bytes, when they
 * arrived and from where. Accepts RFC 5424, RFC 3164 and what devices actually send (see
 * rfc3164.ts); a message without PRI is kept with RFC 3164's defaults (user.notice).
 * Throws only NrxError NRX_ERR_DECODE, naming what is wrong and the offset.
 */
export function decodeSyslog(bytes: Buffer | Uint8Array | string, opts: DecodeOptions): SyslogMessage {
  const source = opts.sourceAddress;
  if (typeof bytes !== 'string' && bytes.length > MAX_MESSAGE_BYTES)
    throw decodeError(`message of ${bytes.length} bytes is longer than ${MAX_MESSAGE_BYTES}`, MAX_MESSAGE_BYTES, source);
  let s = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (s.length > MAX_MESSAGE_BYTES) throw decodeError(`message longer than ${MAX_MESSAGE_BYTES} characters`, MAX_MESSAGE_BYTES, source);
  // Senders end lines with LF, CRLF or NUL (some Cisco and Juniper releases); none of it is content.
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0) break;
    end--;
  }
  if (end !== s.length) s = s.slice(0, end);
  if (s.length === 0) throw decodeError('empty message', 0, source);
  const nul = s.indexOf('\0');
  if (nul >= 0) throw decodeError('NUL byte inside the message (binary data, or several messages in one datagram)', nul, source);

  const receivedAtMs = toMs(opts.receivedAt);
  let facility = 1;
  let severity = 5;
  let hasPri = false;
  let pos = 0;
  if (s.charCodeAt(0) === 60 /* < */) {
    let i = 1;
    let pri = 0;
    while (i <= 3) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      pri = pri * 10 + (c - 48);
      i++;
    }
    if (i === 1) throw decodeError('PRI is not a number', 1, source);
    if (s.charCodeAt(i) !== 62 /* > */) {
      const c = s.charCodeAt(i);
      throw decodeError(c >= 48 && c <= 57 ? 'PRI longer than 3 digits' : "PRI not closed by '>'", i, source);
    }
    if (pri > 191) throw decodeError(`PRI ${pri} out of range 0-191`, 1, source);
    facility = pri >> 3;
    severity = pri & 7;
    hasPri = true;
    pos = i + 1;
  }
  const m = hasPri && looksLike5424(s, pos) ? parse5424(s, pos, source) : parse3164(s, pos, receivedAtMs, opts.inferZone ?? true, hasPri);
  m.facility = facility;
  m.severity = severity;
  m.hasPri = hasPri;
  m.raw = s;
  m.sourceAddress = source;
  m.receivedAt = isoOf(receivedAtMs);
  return m;
}

// A flood arrives within the same millisecond many times over: format its time once.
let lastMs = Number.NaN;
let lastIso = '';
function isoOf(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function toMs(t: string | Date | number): number {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  return Number.isFinite(ms) ? ms : Date.now();
}
