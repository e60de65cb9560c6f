import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NrxError } from '../../src/core/errors.js';
import type { RpcError, RpcReply } from '../contract/netconf.js';

/**
 * NETCONF message bodies (RFC 6241): the hello, rpc envelopes, and reading rpc-reply /
 * rpc-error. XML is parsed by fast-xml-parser with namespace prefixes dropped, so replies from
 * servers that write `<nc:rpc-reply>` read the same as those that use a default namespace.
 */

export const BASE_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
export type ServerMessage = { kind: 'reply'; reply: RpcReply } | { kind: 'notification'; xml: string; parsed: Record<string, unknown> };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** Parse NETCONF XML; malformed XML and DTDs (entity-expansion bombs) are refused with a clear error. */
export function parseNetconfXml(xml: string, what: string): Record<string, unknown> {
  if (/<!DOCTYPE/i.test(xml)) throw new NrxError('NRX_ERR_NETCONF_FRAMING', `${what}: a DOCTYPE is not allowed in a NETCONF message`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new NrxError('NRX_ERR_NETCONF_FRAMING', `${what}: malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, {
      details: { line: valid.err.line, column: valid.err.col },
    });
  }
  return parser.parse(xml) as Record<string, unknown>;
}

export function helloXml(capabilities: string[]): string {
  const caps = capabilities.map((c) => `<capability>${escapeXml(c)}</capability>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${BASE_NS}"><capabilities>${caps}</capabilities></hello>`;
}

export interface ServerHello {
  capabilities: string[];
  sessionId: number | null;
}

export function parseHello(xml: string, who: string): ServerHello {
  const doc = parseNetconfXml(xml, `${who}: hello`);
  const hello = doc.hello as Record<string, unknown> | undefined;
  if (!hello || typeof hello !== 'object')
    throw new NrxError(
      'NRX_ERR_NETCONF_FRAMING',
      `${who}: the first message is not a <hello> (got <${Object.keys(doc).filter((k) => k !== '?xml')[0] ?? 'nothing'}>)`,
    );
  const caps = hello.capabilities as Record<string, unknown> | undefined;
  const list = caps
    ? asArray(caps.capability)
        .map((c) => textOf(c))
        .filter((c) => c !== '')
    : [];
  if (list.length === 0) throw new NrxError('NRX_ERR_NETCONF_FRAMING', `${who}: the server's <hello> lists no capabilities`);
  const sid = hello['session-id'] !== undefined ? Number(textOf(hello['session-id'])) : NaN;
  return { capabilities: list, sessionId: Number.isFinite(sid) ? sid : null };
}

export function rpcXml(messageId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rpc xmlns="${BASE_NS}" message-id="${escapeXml(messageId)}">${body}</rpc>`;
}

/** Read one message from the server after the hello: an rpc-reply or a notification. */
export function parseServerMessage(xml: string, who: string): ServerMessage {
  const doc = parseNetconfXml(xml, `${who}: reply`);
  if (doc.notification && typeof doc.notification === 'object') return { kind: 'notification', xml, parsed: doc };
  const reply = doc['rpc-reply'];
  if (reply === undefined) {
    const root = Object.keys(doc).filter((k) => k !== '?xml')[0] ?? 'nothing';
    throw new NrxError('NRX_ERR_NETCONF_FRAMING', `${who}: expected <rpc-reply>, got <${root}>`);
  }
  const body = (typeof reply === 'object' && reply !== null ? reply : {}) as Record<string, unknown>;
  const messageId = typeof body['@_message-id'] === 'string' ? body['@_message-id'] : null;
  const errors = asArray(body['rpc-error']).map(readRpcError);
  return {
    kind: 'reply',
    reply: { messageId, ok: 'ok' in body, errors, dataXml: 'data' in body ? innerXmlOf(xml, 'data') : null, xml, parsed: doc },
  };
}

function readRpcError(raw: unknown): RpcError {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: RpcError = {
    type: textOf(e['error-type']),
    tag: textOf(e['error-tag']),
    severity: textOf(e['error-severity']) || 'error',
  };
  if (e['error-app-tag'] !== undefined) out.appTag = textOf(e['error-app-tag']);
  if (e['error-path'] !== undefined) out.path = textOf(e['error-path']);
  if (e['error-message'] !== undefined) out.message = textOf(e['error-message']);
  if (e['error-info'] !== undefined) out.info = e['error-info'];
  return out;
}

/** The text inside the first element named `local` (any prefix), as written; null when absent; '' when self-closed. */
export function innerXmlOf(xml: string, local: string): string | null {
  const open = new RegExp(`<(?:([\\w.-]+):)?${local}(?=[\\s/>])[^>]*?(/?)>`).exec(xml);
  if (!open) return null;
  if (open[2] === '/') return '';
  const closeTag = `</${open[1] ? `${open[1]}:` : ''}${local}>`;
  const end = xml.lastIndexOf(closeTag);
  if (end < open.index) return null;
  return xml.slice(open.index + open[0].length, end);
}

/** fast-xml-parser gives a single child as a value and repeated children as an array. */
export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Text of a leaf whether parsed as a string or as an object with attributes (`#text`). */
export function textOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && '#text' in (v as Record<string, unknown>)) return textOf((v as Record<string, unknown>)['#text']);
  return '';
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The message an operator reads for an rpc-error: tag, path and the server's own words. */
export function describeRpcErrors(errors: RpcError[]): string {
  return errors
    .filter((e) => e.severity === 'error')
    .map((e) => `${e.tag || 'error'} (${e.type || 'unknown type'})${e.path ? ` at ${e.path}` : ''}${e.message ? `: ${e.message}` : ''}`)
    .join('; ');
}
