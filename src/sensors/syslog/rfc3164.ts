import type { ParsedBody } from './rfc5424.js';
import { cleanMessage, parsedBody } from './rfc5424.js';
import { isoOrNull, parseBsdTimestamp, parseRfc3339, type ParsedTime } from './timestamp.js';

/**
 * RFC 3164 (BSD) syslog after PRI, and the variations network devices send:
 *   Nov 22 00:07:58 vm bgpd[12]: text                       (RFC 3164)
 *   2026-11-22T00:01:49.881748+00:00 r2 bgpd[13564]: text   (rsyslog forward format: ISO time)
 *   1179: host: May 31 15:25:53.743 MEST: %LINK-5-CHANGED   (Cisco IOS: sequence number, origin-id, zone)
 *   117: *Mar  1 00:00:00.123: %SYS-5-CONFIG_I: ...         (Cisco, clock not set, no hostname)
 *   2647599: vmx01 RP/0/RSP1/CPU0:Mar 28 15:08:30.941 UTC: bgp[1051]: %ROUTING-...   (IOS-XR node)
 *   2018 Oct 31 08:12:52 sw01 %ETHPORT-5-IF_DOWN...         (NX-OS: year first)
 *   Jun 21 14:03:12  vmx01 rpd[2902]: RPD_...               (Junos: two spaces)
 * Without a readable timestamp there is no hostname (RFC 3164 4.3.3): the rest is the content.
 */
export function parse3164(s: string, pos: number, receivedAtMs: number, inferZone: boolean, hasPri: boolean): ParsedBody {
  let i = skipSpaces(s, pos);
  let sequence: number | null = null;
  let hostname: string | null = null;
  let node: string | null = null;

  // Cisco `service sequence-numbers`: "1179: "
  const seqEnd = digitRun(s, i, 10);
  if (seqEnd > i && s.charCodeAt(seqEnd) === 58 && s.charCodeAt(seqEnd + 1) === 32) {
    sequence = Number(s.slice(i, seqEnd));
    i = skipSpaces(s, seqEnd + 2);
  }

  let ts = timestampAt(s, i, receivedAtMs, inferZone);
  if (!ts) {
    // Something before the timestamp: Cisco origin-id "host: ", IOS-XR "host node:" or "node:".
    const tokEnd = tokenEnd(s, i);
    const tok = s.slice(i, tokEnd);
    const colon = tok.indexOf(':');
    if (colon === tok.length - 1 && colon > 0) {
      ts = timestampAt(s, skipSpaces(s, tokEnd), receivedAtMs, inferZone);
      if (ts) hostname = tok.slice(0, -1);
    } else if (colon > 0 && tok.charCodeAt(colon - 1) !== 58) {
      ts = timestampAt(s, i + colon + 1, receivedAtMs, inferZone);
      if (ts) node = tok.slice(0, colon);
    } else if (colon < 0 && tok.length > 0 && tok.length <= 255) {
      const j = skipSpaces(s, tokEnd);
      const nodeEnd = tokenEnd(s, j);
      const c = s.indexOf(':', j);
      if (c > j && c < nodeEnd) {
        ts = timestampAt(s, c + 1, receivedAtMs, inferZone);
        if (ts) {
          hostname = tok;
          node = s.slice(j, c);
        }
      }
    }
  }
  if (!ts) {
    if (!hasPri) return body('unknown', null, null, s, pos, sequence, null);
    return withTag(s, i, null, null, sequence, null);
  }
  i = skipSpaces(s, ts.end);
  if (hostname === null) {
    const end = tokenEnd(s, i);
    if (end > i && end < s.length && end - i <= 255 && looksLikeHostname(s, i, end)) {
      hostname = s.slice(i, end);
      i = skipSpaces(s, end);
    }
  }
  return withTag(s, i, isoOrNull(ts.ms), hostname, sequence, node);
}

function timestampAt(s: string, pos: number, receivedAtMs: number, inferZone: boolean): ParsedTime | null {
  const c = s.charCodeAt(pos);
  if (c >= 48 && c <= 57 && s.charCodeAt(pos + 4) === 45) {
    const t = parseRfc3339(s, pos);
    return t && (s.charCodeAt(t.end) === 32 || s.charCodeAt(t.end) === 58) ? { ms: t.ms, end: s.charCodeAt(t.end) === 58 ? t.end + 1 : t.end } : null;
  }
  return parseBsdTimestamp(s, pos, receivedAtMs, inferZone);
}

/** A hostname is not a tag (`prog:`, `prog[12]:`) and not a Cisco mnemonic (`%LINK-3-UPDOWN:`). */
function looksLikeHostname(s: string, start: number, end: number): boolean {
  if (s.charCodeAt(start) === 37 /* % */ || s.charCodeAt(end - 1) === 58 /* : */) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 91 /* [ */ || c < 33 || c === 127) return false;
  }
  return true;
}

/** TAG: `prog:` or `prog[pid]:` (up to 48 characters of name), then the content. */
function withTag(s: string, pos: number, timestamp: string | null, hostname: string | null, sequence: number | null, node: string | null): ParsedBody {
  let i = pos;
  const c0 = s.charCodeAt(i);
  if (c0 === 37 /* % */) return body('3164', timestamp, hostname, s, pos, sequence, node);
  while (i - pos < 48) {
    const c = s.charCodeAt(i);
    if (c < 33 || c === 58 || c === 91 || c === 93 || c === 127 || Number.isNaN(c)) break;
    i++;
  }
  if (i === pos) return body('3164', timestamp, hostname, s, pos, sequence, node);
  const appName = s.slice(pos, i);
  let procId: string | null = null;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0 || close - i > 129) return body('3164', timestamp, hostname, s, pos, sequence, node);
    procId = s.slice(i + 1, close);
    i = close + 1;
  }
  if (s.charCodeAt(i) !== 58 || (s.charCodeAt(i + 1) !== 32 && i + 1 < s.length)) return body('3164', timestamp, hostname, s, pos, sequence, node);
  const parsed = body('3164', timestamp, hostname, s, i + 1, sequence, node);
  parsed.appName = appName;
  parsed.procId = procId === '' ? null : procId;
  return parsed;
}

function body(
  format: '3164' | 'unknown',
  timestamp: string | null,
  hostname: string | null,
  s: string,
  msgStart: number,
  sequence: number | null,
  node: string | null,
): ParsedBody {
  return parsedBody(format, timestamp, hostname, null, null, null, {}, cleanMessage(s, msgStart), sequence, node);
}

function skipSpaces(s: string, pos: number): number {
  while (s.charCodeAt(pos) === 32) pos++;
  return pos;
}

function tokenEnd(s: string, pos: number): number {
  const sp = s.indexOf(' ', pos);
  return sp < 0 ? s.length : sp;
}

function digitRun(s: string, pos: number, max: number): number {
  let i = pos;
  while (i - pos < max && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  return i;
}
