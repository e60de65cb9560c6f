/**
 * How much text of one syslog message an event keeps. A datagram may be 64 KiB and each event
 * stores the line twice (message and raw), and every rule, workflow and API reader copies the
 * payload again; real device lines are under 1 KiB, so 8 KiB loses nothing a rule matches on.
 */
export const DEFAULT_MAX_STORED_TEXT_BYTES = 8192;

/**
 * Cut every text field of a syslog event payload (message, raw, fields a normaliser took from
 * them) to `maxBytes` of UTF-8, at a character boundary, and keep structured-data parameters
 * only while they fit in `maxBytes` together. Marks the payload `truncated: true` and returns
 * true when anything was cut.
 */
export function limitStoredText(payload: Record<string, unknown>, maxBytes = DEFAULT_MAX_STORED_TEXT_BYTES): boolean {
  let cut = false;
  for (const k in payload) {
    const v = payload[k];
    if (typeof v === 'string') {
      const short = cutUtf8(v, maxBytes);
      if (short !== v) {
        payload[k] = short;
        cut = true;
      }
    }
  }
  const sd = payload.structured_data;
  if (sd && typeof sd === 'object') {
    const kept = limitStructuredData(sd as Record<string, Record<string, string>>, maxBytes);
    if (kept) {
      payload.structured_data = kept;
      cut = true;
    }
  }
  if (cut) payload.truncated = true;
  return cut;
}

/** `s` if it fits in `maxBytes` of UTF-8, else its longest prefix that does (no split characters). */
export function cutUtf8(s: string, maxBytes: number): string {
  // a UTF-16 code unit is 1 to 3 UTF-8 bytes: short strings need no counting
  if (s.length * 3 <= maxBytes) return s;
  if (s.length <= maxBytes && Buffer.byteLength(s) <= maxBytes) return s;
  // the first maxBytes bytes lie within the first maxBytes code units: encode only those
  let prefix = s;
  if (s.length > maxBytes) {
    const last = s.charCodeAt(maxBytes - 1);
    prefix = s.slice(0, last >= 0xd800 && last <= 0xdbff ? maxBytes - 1 : maxBytes); // keep surrogate pairs whole
  }
  const b = Buffer.from(prefix, 'utf8');
  if (b.length <= maxBytes) return b.toString('utf8');
  let end = maxBytes;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return b.toString('utf8', 0, end);
}

/** The structured data trimmed to `maxBytes` (names and values counted), or null when it fits. */
function limitStructuredData(sd: Record<string, Record<string, string>>, maxBytes: number): Record<string, Record<string, string>> | null {
  let used = 0;
  let dropped = false;
  const out: Record<string, Record<string, string>> = {};
  for (const id in sd) {
    used += Buffer.byteLength(id);
    if (used > maxBytes) {
      dropped = true;
      break;
    }
    const params: Record<string, string> = {};
    out[id] = params;
    for (const name in sd[id]) {
      const value = sd[id]![name]!;
      const size = Buffer.byteLength(name) + Buffer.byteLength(value);
      if (used + size > maxBytes) {
        dropped = true;
        continue;
      }
      used += size;
      params[name] = value;
    }
  }
  return dropped ? out : null;
}
