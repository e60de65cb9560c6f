import { decodeError, type SyslogMessage } from './message.js';
import { parseStructuredData } from './structured-data.js';
import { isoOrNull, parseRfc3339 } from './timestamp.js';

/** A message as the header parsers return it; decodeSyslog fills PRI, raw, source and arrival time. */
export type ParsedBody = SyslogMessage;

/** One object shape for every message (keeps property access monomorphic on the hot path). */
export function parsedBody(
  format: SyslogMessage['format'],
  timestamp: string | null,
  hostname: string | null,
  appName: string | null,
  procId: string | null,
  msgId: string | null,
  structuredData: SyslogMessage['structuredData'],
  message: string,
  sequence: number | null,
  node: string | null,
): SyslogMessage {
  return {
    format,
    facility: 1,
    severity: 5,
    hasPri: false,
    timestamp,
    hostname,
    appName,
    procId,
    msgId,
    structuredData,
    message,
    sequence,
    node,
    raw: '',
    sourceAddress: '',
    receivedAt: '',
  };
}

/** Does the text after PRI start like RFC 5424 (`1 2026-...` or `1 - `)? */
export function looksLike5424(s: string, pos: number): boolean {
  const v = s.charCodeAt(pos);
  if (v < 49 || v > 57) return false;
  let i = pos + 1;
  if (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (s.charCodeAt(i) !== 32) return false;
  const t = s.charCodeAt(i + 1);
  return (t === 45 && s.charCodeAt(i + 2) === 32) || (t >= 48 && t <= 57 && s.charCodeAt(i + 5) === 45);
}

/** One header field: up to `max` characters, ended by a space; '-' is NILVALUE (null). */
function field(s: string, pos: number, max: number, name: string, source: string): [string | null, number] {
  let i = pos;
  while (s.charCodeAt(i) === 32) i++; // tolerate doubled spaces between header fields
  const start = i;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || Number.isNaN(c)) break;
    if (c < 33 || c > 126) throw decodeError(`RFC 5424 ${name} contains a non-printable character`, i, source);
    i++;
  }
  if (i === start) throw decodeError(`RFC 5424 header ends before ${name}`, i, source);
  if (i - start > max) throw decodeError(`RFC 5424 ${name} longer than ${max} characters`, start, source);
  const value = s.slice(start, i);
  return [value === '-' ? null : value, i];
}

/** The RFC 5424 header after PRI: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]. */
export function parse5424(s: string, pos: number, source: string): ParsedBody {
  let i = s.indexOf(' ', pos);
  const [ts, afterTs] = field(s, i, 64, 'TIMESTAMP', source);
  let timestamp: string | null = null;
  if (ts !== null) {
    const t = parseRfc3339(ts, 0);
    if (!t || t.end !== ts.length) throw decodeError(`RFC 5424 TIMESTAMP '${ts.slice(0, 40)}' is not RFC 3339`, i + 1, source);
    timestamp = isoOrNull(t.ms);
  }
  let hostname: string | null;
  let appName: string | null;
  let procId: string | null;
  let msgId: string | null;
  [hostname, i] = field(s, afterTs, 255, 'HOSTNAME', source);
  [appName, i] = field(s, i, 48, 'APP-NAME', source);
  [procId, i] = field(s, i, 128, 'PROCID', source);
  [msgId, i] = field(s, i, 32, 'MSGID', source);
  while (s.charCodeAt(i) === 32) i++;
  let structuredData = {};
  const sd = s.charCodeAt(i);
  if (sd === 45 /* - */) i++;
  else if (sd === 91 /* [ */) {
    const parsed = parseStructuredData(s, i, source);
    structuredData = parsed.data;
    i = parsed.end;
  } else if (!Number.isNaN(sd)) throw decodeError("RFC 5424 STRUCTURED-DATA must be '-' or start with '['", i, source);
  const next = s.charCodeAt(i);
  if (!Number.isNaN(next) && next !== 32) throw decodeError('RFC 5424 STRUCTURED-DATA not followed by a space', i, source);
  return parsedBody('5424', timestamp, hostname, appName, procId, msgId, structuredData, cleanMessage(s, i + 1), null, null);
}

/** MSG without leading spaces (rsyslog relays add one), a UTF-8 BOM, or trailing whitespace. */
export function cleanMessage(s: string, pos: number): string {
  let i = pos;
  while (s.charCodeAt(i) === 32) i++;
  if (s.charCodeAt(i) === 0xfeff) i++;
  let end = s.length;
  while (end > i) {
    const c = s.charCodeAt(end - 1);
    if (c !== 32 && c !== 9) break;
    end--;
  }
  return i === 0 && end === s.length ? s : s.slice(i, end);
}
