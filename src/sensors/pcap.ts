import { NrxError } from '../core/errors.js';
import { ipv4, ipv6 } from './sflow/xdr.js';

/** One UDP datagram found in a capture file. */
export interface CapturedUdp {
  /** Capture time, milliseconds since the epoch (fractional). */
  timeMs: number;
  srcAddr: string;
  srcPort: number;
  dstAddr: string;
  dstPort: number;
  payload: Buffer;
}

/** Link types we read (tcpdump's LINKTYPE_* values). */
const LINK_NULL = 0;
const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_RAW_ALT = 12;
const LINK_LINUX_SLL = 113;
const LINK_LINUX_SLL2 = 276;
const LINK_IPV4 = 228;
const LINK_IPV6 = 229;

function bad(file: string, offset: number, message: string): NrxError {
  return new NrxError('NRX_ERR_DECODE', `${file}: offset ${offset}: ${message}`, { details: { file, offset } });
}

/**
 * Every UDP datagram in a pcap or pcapng capture (tcpdump -w, Wireshark). Frames that are not
 * UDP over IPv4/IPv6, or non-first IP fragments, are skipped; a broken file header or a record
 * that runs past the end throws NRX_ERR_DECODE naming the file and byte offset.
 */
export function readPcapUdp(buf: Buffer, file = 'capture'): CapturedUdp[] {
  if (buf.length < 4) throw bad(file, 0, 'too short to be a pcap or pcapng file');
  const magic = buf.readUInt32BE(0);
  if (magic === 0x0a0d0d0a) return readPcapng(buf, file);
  return readPcap(buf, file);
}

function readPcap(buf: Buffer, file: string): CapturedUdp[] {
  const magic = buf.readUInt32LE(0);
  let le: boolean;
  let nano = false;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw bad(file, 0, `not a pcap or pcapng file (magic 0x${buf.readUInt32BE(0).toString(16)})`);
  if (magic === 0xa1b23c4d || magic === 0x4d3cb2a1) nano = true;
  if (buf.length < 24) throw bad(file, 0, 'truncated pcap file header');
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linkType = u32(20) & 0xffff;
  const out: CapturedUdp[] = [];
  let at = 24;
  while (at < buf.length) {
    if (at + 16 > buf.length) throw bad(file, at, 'truncated packet record header');
    const sec = u32(at);
    const frac = u32(at + 4);
    const caplen = u32(at + 8);
    if (at + 16 + caplen > buf.length) throw bad(file, at + 8, `packet record length ${caplen} runs past the end of the file`);
    const frame = buf.subarray(at + 16, at + 16 + caplen);
    const timeMs = sec * 1000 + (nano ? frac / 1e6 : frac / 1e3);
    const udp = udpFromFrame(linkType, frame, le);
    if (udp) out.push({ timeMs, ...udp });
    at += 16 + caplen;
  }
  return out;
}

function readPcapng(buf: Buffer, file: string): CapturedUdp[] {
  const out: CapturedUdp[] = [];
  let le = true;
  let interfaces: Array<{ linkType: number; tsDivisor: number }> = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw bad(file, at, 'truncated pcapng block header');
    const type = buf.readUInt32BE(at) === 0x0a0d0d0a ? 0x0a0d0d0a : le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
    if (type === 0x0a0d0d0a) {
      const bom = buf.readUInt32LE(at + 8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw bad(file, at + 8, 'pcapng section header has an unknown byte-order magic');
      interfaces = [];
    }
    const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const len = u32(at + 4);
    if (len < 12 || len % 4 !== 0 || at + len > buf.length) throw bad(file, at + 4, `pcapng block length ${len} is invalid or runs past the end`);
    const body = at + 8;
    if (type === 1) {
      // interface description: link type, then options; if_tsresol changes the time unit
      const linkType = le ? buf.readUInt16LE(body) : buf.readUInt16BE(body);
      let tsDivisor = 1e6;
      let o = body + 8;
      while (o + 4 <= at + len - 4) {
        const code = le ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
        const olen = le ? buf.readUInt16LE(o + 2) : buf.readUInt16BE(o + 2);
        if (code === 0) break;
        if (code === 9 && olen >= 1 && o + 5 <= buf.length) {
          const v = buf[o + 4]!;
          tsDivisor = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
        o += 4 + ((olen + 3) & ~3);
      }
      interfaces.push({ linkType, tsDivisor });
    } else if (type === 6 || type === 3) {
      const enhanced = type === 6;
      const ifIndex = enhanced ? u32(body) : 0;
      const iface = interfaces[ifIndex];
      if (!iface) throw bad(file, body, `packet block names interface ${ifIndex}, which no interface block described`);
      const caplen = enhanced ? u32(body + 12) : Math.min(u32(body), len - 16);
      const dataAt = enhanced ? body + 20 : body + 4;
      if (dataAt + caplen > at + len) throw bad(file, at, `packet block captured length ${caplen} runs past the block`);
      const ts = enhanced ? u32(body + 4) * 4294967296 + u32(body + 8) : 0;
      const udp = udpFromFrame(iface.linkType, buf.subarray(dataAt, dataAt + caplen), le);
      if (udp) out.push({ timeMs: (ts / iface.tsDivisor) * 1000, ...udp });
    }
    at += len;
  }
  return out;
}

type Udp = Omit<CapturedUdp, 'timeMs'>;

function udpFromFrame(linkType: number, f: Buffer, le: boolean): Udp | undefined {
  switch (linkType) {
    case LINK_ETHERNET: {
      if (f.length < 14) return undefined;
      let at = 12;
      let type = f.readUInt16BE(at);
      for (let tags = 0; (type === 0x8100 || type === 0x88a8) && tags < 2 && at + 6 <= f.length; tags++) {
        at += 4;
        type = f.readUInt16BE(at);
      }
      return ipPayload(type, f, at + 2);
    }
    case LINK_NULL: {
      if (f.length < 4) return undefined;
      const family = le ? f.readUInt32LE(0) : f.readUInt32BE(0);
      return ipPayload(family === 2 ? 0x0800 : 0x86dd, f, 4);
    }
    case LINK_RAW:
    case LINK_RAW_ALT:
    case LINK_IPV4:
    case LINK_IPV6:
      return f.length ? ipPayload(f[0]! >> 4 === 4 ? 0x0800 : 0x86dd, f, 0) : undefined;
    case LINK_LINUX_SLL:
      return f.length >= 16 ? ipPayload(f.readUInt16BE(14), f, 16) : undefined;
    case LINK_LINUX_SLL2:
      return f.length >= 20 ? ipPayload(f.readUInt16BE(0), f, 20) : undefined;
    default:
      return undefined;
  }
}

function ipPayload(etherType: number, f: Buffer, at: number): Udp | undefined {
  if (etherType === 0x0800) {
    if (at + 20 > f.length || f[at]! >> 4 !== 4) return undefined;
    const ihl = (f[at]! & 0x0f) * 4;
    const total = f.readUInt16BE(at + 2);
    const fragment = f.readUInt16BE(at + 6);
    if ((fragment & 0x1fff) !== 0 || fragment & 0x2000) return undefined; // fragments: not reassembled
    if (f[at + 9] !== 17 || ihl < 20) return undefined;
    return udp(f, at + ihl, Math.min(f.length, at + total), ipv4(f, at + 12), ipv4(f, at + 16));
  }
  if (etherType === 0x86dd) {
    if (at + 40 > f.length || f[at]! >> 4 !== 6 || f[at + 6] !== 17) return undefined;
    const end = Math.min(f.length, at + 40 + f.readUInt16BE(at + 4));
    return udp(f, at + 40, end, ipv6(f, at + 8), ipv6(f, at + 24));
  }
  return undefined;
}

function udp(f: Buffer, at: number, end: number, srcAddr: string, dstAddr: string): Udp | undefined {
  if (at + 8 > end) return undefined;
  const len = f.readUInt16BE(at + 4);
  const stop = len >= 8 ? Math.min(end, at + len) : end;
  return { srcAddr, srcPort: f.readUInt16BE(at), dstAddr, dstPort: f.readUInt16BE(at + 2), payload: f.subarray(at + 8, stop) };
}
