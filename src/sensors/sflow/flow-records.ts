import { parsePacketHeader, type PacketSummary } from './packet-header.js';
import { ipv4, ipv6, mac, type XdrReader } from './xdr.js';

/** Flow records of a flow sample (sFlow v5, enterprise 0), by the spec's names. */
export type FlowRecord =
  | { type: 'raw_packet_header'; headerProtocol: number; frameLength: number; stripped: number; headerLength: number; packet: PacketSummary }
  | { type: 'ethernet_frame'; length: number; srcMac: string; dstMac: string; etherType: number }
  | {
      type: 'sampled_ipv4' | 'sampled_ipv6';
      length: number;
      protocol: number;
      srcAddr: string;
      dstAddr: string;
      srcPort: number;
      dstPort: number;
      tcpFlags: number;
      tos: number;
    }
  | { type: 'extended_switch'; srcVlan: number; srcPriority: number; dstVlan: number; dstPriority: number }
  | { type: 'extended_router'; nextHop: string; srcMaskLen: number; dstMaskLen: number }
  | {
      type: 'extended_gateway';
      nextHop: string;
      as: number;
      srcAs: number;
      srcPeerAs: number;
      asPath: Array<{ segmentType: 'set' | 'sequence'; asns: number[] }>;
      communities: number[];
      localPref: number;
    }
  | { type: 'extended_egress_queue'; queue: number }
  | UnknownRecord;

export interface UnknownRecord {
  type: 'unknown';
  enterprise: number;
  format: number;
  length: number;
}

/** The largest sampled header the spec's reference agent copies; bigger claims are hostile. */
const MAX_HEADER = 1024;
/** Bounds on list lengths inside a record, so a hostile count cannot allocate or loop. */
const MAX_LIST = 1024;

/** An sFlow address: a type word (1 IPv4, 2 IPv6) and the address. */
export function readAddress(r: XdrReader, field: string): string {
  const at = r.pos;
  const kind = r.u32(`${field}.type`);
  if (kind === 1) {
    r.need(4, field);
    const s = ipv4(r.buf, r.pos);
    r.pos += 4;
    return s;
  }
  if (kind === 2) {
    r.need(16, field);
    const s = ipv6(r.buf, r.pos);
    r.pos += 16;
    return s;
  }
  if (kind === 0) return '';
  throw r.fail(at, `${field}.type`, `unknown address type ${kind} (1 IPv4, 2 IPv6)`);
}

/** Decode one flow record body; `r` spans exactly the record's bytes. */
export function decodeFlowRecord(enterprise: number, format: number, r: XdrReader): FlowRecord {
  if (enterprise !== 0) return { type: 'unknown', enterprise, format, length: r.remaining };
  switch (format) {
    case 1: {
      const headerProtocol = r.u32('header_protocol');
      const frameLength = r.u32('frame_length');
      const stripped = r.u32('stripped');
      const header = r.opaque('header', MAX_HEADER);
      return {
        type: 'raw_packet_header',
        headerProtocol,
        frameLength,
        stripped,
        headerLength: header.length,
        packet: parsePacketHeader(headerProtocol, header),
      };
    }
    case 2: {
      const length = r.u32('length');
      const src = r.fixed(6, 'src_mac');
      const dst = r.fixed(6, 'dst_mac');
      return { type: 'ethernet_frame', length, srcMac: mac(src), dstMac: mac(dst), etherType: r.u32('type') };
    }
    case 3:
    case 4: {
      const v6 = format === 4;
      const length = r.u32('length');
      const protocol = r.u32('protocol');
      const src = r.fixed(v6 ? 16 : 4, 'src_ip');
      const dst = r.fixed(v6 ? 16 : 4, 'dst_ip');
      return {
        type: v6 ? 'sampled_ipv6' : 'sampled_ipv4',
        length,
        protocol,
        srcAddr: v6 ? ipv6(src) : ipv4(src),
        dstAddr: v6 ? ipv6(dst) : ipv4(dst),
        srcPort: r.u32('src_port'),
        dstPort: r.u32('dst_port'),
        tcpFlags: r.u32('tcp_flags'),
        tos: r.u32(v6 ? 'priority' : 'tos'),
      };
    }
    case 1001:
      return {
        type: 'extended_switch',
        srcVlan: r.u32('src_vlan'),
        srcPriority: r.u32('src_priority'),
        dstVlan: r.u32('dst_vlan'),
        dstPriority: r.u32('dst_priority'),
      };
    case 1002:
      return { type: 'extended_router', nextHop: readAddress(r, 'nexthop'), srcMaskLen: r.u32('src_mask_len'), dstMaskLen: r.u32('dst_mask_len') };
    case 1003:
      return decodeGateway(r);
    case 1036:
      return { type: 'extended_egress_queue', queue: r.u32('queue') };
    default:
      return { type: 'unknown', enterprise, format, length: r.remaining };
  }
}

function decodeGateway(r: XdrReader): FlowRecord {
  const nextHop = readAddress(r, 'nexthop');
  const as = r.u32('as');
  const srcAs = r.u32('src_as');
  const srcPeerAs = r.u32('src_peer_as');
  const segments = boundedCount(r, `dst_as_path.count`);
  const asPath: Array<{ segmentType: 'set' | 'sequence'; asns: number[] }> = [];
  for (let i = 0; i < segments; i++) {
    const segmentType = r.u32(`dst_as_path[${i}].type`) === 1 ? 'set' : 'sequence';
    const n = boundedCount(r, `dst_as_path[${i}].length`);
    const asns: number[] = [];
    for (let j = 0; j < n; j++) asns.push(r.u32(`dst_as_path[${i}][${j}]`));
    asPath.push({ segmentType, asns });
  }
  const nc = boundedCount(r, `communities.count`);
  const communities: number[] = [];
  for (let i = 0; i < nc; i++) communities.push(r.u32(`communities[${i}]`));
  return { type: 'extended_gateway', nextHop, as, srcAs, srcPeerAs, asPath, communities, localPref: r.u32('localpref') };
}

/** A count of 32-bit items that must fit in what is left of the record. */
export function boundedCount(r: XdrReader, field: string): number {
  const at = r.pos;
  const n = r.u32(field);
  if (n > MAX_LIST || n * 4 > r.remaining) throw r.fail(at, field, `count ${n} does not fit in the ${r.remaining} bytes left`);
  return n;
}
