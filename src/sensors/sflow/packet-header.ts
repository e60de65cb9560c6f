import { ipv4, ipv6, mac } from './xdr.js';

/** What an sFlow sampled header says about the packet: as much as the captured bytes hold. */
export interface PacketSummary {
  srcMac?: string;
  dstMac?: string;
  /** 802.1Q / 802.1ad VLAN id of the outermost tag. */
  vlan?: number;
  etherType?: number;
  srcAddr?: string;
  dstAddr?: string;
  /** IP protocol number of the transport (IPv6 extension headers are skipped). */
  protocol?: number;
  srcPort?: number;
  dstPort?: number;
  tos?: number;
  ttl?: number;
  tcpFlags?: number;
}

/** sFlow header_protocol values (sFlow v5 spec, "header_protocol"). */
export const HEADER_PROTOCOL = { ethernet: 1, ipv4: 11, ipv6: 12 } as const;

const IPV6_EXTENSION = new Set([0, 43, 44, 60, 51]);

/**
 * Parse a sampled packet header. Never throws: a sampled header is truncated by design (the
 * agent copies only the first N bytes), so a field that is not in the bytes is simply absent.
 */
export function parsePacketHeader(headerProtocol: number, h: Buffer): PacketSummary {
  const out: PacketSummary = {};
  if (headerProtocol === HEADER_PROTOCOL.ethernet) parseEthernet(h, out);
  else if (headerProtocol === HEADER_PROTOCOL.ipv4) parseIpv4(h, 0, out);
  else if (headerProtocol === HEADER_PROTOCOL.ipv6) parseIpv6(h, 0, out);
  return out;
}

function parseEthernet(h: Buffer, out: PacketSummary): void {
  if (h.length < 14) return;
  out.dstMac = mac(h, 0);
  out.srcMac = mac(h, 6);
  let at = 12;
  let type = h.readUInt16BE(at);
  // at most two tags (QinQ); the outer one is the VLAN the switch forwarded on
  for (let tags = 0; (type === 0x8100 || type === 0x88a8) && tags < 2 && at + 6 <= h.length; tags++) {
    if (out.vlan === undefined) out.vlan = h.readUInt16BE(at + 2) & 0x0fff;
    at += 4;
    type = h.readUInt16BE(at);
  }
  out.etherType = type;
  at += 2;
  if (type === 0x0800) parseIpv4(h, at, out);
  else if (type === 0x86dd) parseIpv6(h, at, out);
}

function parseIpv4(h: Buffer, at: number, out: PacketSummary): void {
  if (at + 20 > h.length || h[at]! >> 4 !== 4) return;
  const ihl = (h[at]! & 0x0f) * 4;
  out.tos = h[at + 1]!;
  out.ttl = h[at + 8]!;
  out.protocol = h[at + 9]!;
  out.srcAddr = ipv4(h, at + 12);
  out.dstAddr = ipv4(h, at + 16);
  const fragmentOffset = h.readUInt16BE(at + 6) & 0x1fff;
  // only the first fragment carries the transport header
  if (fragmentOffset === 0 && ihl >= 20) parseTransport(h, at + ihl, out.protocol, out);
}

function parseIpv6(h: Buffer, at: number, out: PacketSummary): void {
  if (at + 40 > h.length || h[at]! >> 4 !== 6) return;
  out.tos = (h.readUInt16BE(at) >> 4) & 0xff;
  out.ttl = h[at + 7]!;
  out.srcAddr = ipv6(h, at + 8);
  out.dstAddr = ipv6(h, at + 24);
  let next = h[at + 6]!;
  let p = at + 40;
  // skip extension headers to the transport, bounded so a hostile chain cannot loop
  for (let hops = 0; IPV6_EXTENSION.has(next) && hops < 8; hops++) {
    if (p + 8 > h.length) {
      out.protocol = next;
      return;
    }
    if (next === 44) {
      const fragOffset = h.readUInt16BE(p + 2) >> 3;
      next = h[p]!;
      p += 8;
      if (fragOffset !== 0) {
        out.protocol = next;
        return;
      }
      continue;
    }
    const len = next === 51 ? (h[p + 1]! + 2) * 4 : (h[p + 1]! + 1) * 8;
    next = h[p]!;
    p += len;
  }
  out.protocol = next;
  parseTransport(h, p, next, out);
}

function parseTransport(h: Buffer, at: number, protocol: number, out: PacketSummary): void {
  if (protocol === 6 || protocol === 17 || protocol === 132) {
    if (at + 4 > h.length) return;
    out.srcPort = h.readUInt16BE(at);
    out.dstPort = h.readUInt16BE(at + 2);
    if (protocol === 6 && at + 14 <= h.length) out.tcpFlags = h[at + 13]!;
  }
}
