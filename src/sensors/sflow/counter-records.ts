import type { UnknownRecord } from './flow-records.js';
import { mac, type XdrReader } from './xdr.js';

/** Generic interface counters (enterprise 0, format 1): IF-MIB names. */
export interface GenericInterfaceCounters {
  ifIndex: number;
  ifType: number;
  ifSpeed: number;
  /** 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out. */
  ifDirection: number;
  adminStatus: 'up' | 'down';
  operStatus: 'up' | 'down';
  ifInOctets: number;
  ifInUcastPkts: number;
  ifInMulticastPkts: number;
  ifInBroadcastPkts: number;
  ifInDiscards: number;
  ifInErrors: number;
  ifInUnknownProtos: number;
  ifOutOctets: number;
  ifOutUcastPkts: number;
  ifOutMulticastPkts: number;
  ifOutBroadcastPkts: number;
  ifOutDiscards: number;
  ifOutErrors: number;
  ifPromiscuousMode: number;
}

const ETHERNET_FIELDS = [
  'dot3StatsAlignmentErrors',
  'dot3StatsFCSErrors',
  'dot3StatsSingleCollisionFrames',
  'dot3StatsMultipleCollisionFrames',
  'dot3StatsSQETestErrors',
  'dot3StatsDeferredTransmissions',
  'dot3StatsLateCollisions',
  'dot3StatsExcessiveCollisions',
  'dot3StatsInternalMacTransmitErrors',
  'dot3StatsCarrierSenseErrors',
  'dot3StatsFrameTooLongs',
  'dot3StatsInternalMacReceiveErrors',
  'dot3StatsSymbolErrors',
] as const;
export type EthernetCounters = Record<(typeof ETHERNET_FIELDS)[number], number>;

/** IEEE 802.3ad LAG port counters (enterprise 0, format 7), sFlow LAG extension names. */
export interface LagPortCounters {
  dot3adAggPortActorSystemID: string;
  dot3adAggPortPartnerOperSystemID: string;
  dot3adAggPortAttachedAggID: number;
  /** LACP state octets (bit 0 activity .. bit 3 synchronization, 4 collecting, 5 distributing, 6 defaulted, 7 expired). */
  actorAdminState: number;
  actorOperState: number;
  partnerAdminState: number;
  partnerOperState: number;
  dot3adAggPortStatsLACPDUsRx: number;
  dot3adAggPortStatsMarkerPDUsRx: number;
  dot3adAggPortStatsMarkerResponsePDUsRx: number;
  dot3adAggPortStatsUnknownRx: number;
  dot3adAggPortStatsIllegalRx: number;
  dot3adAggPortStatsLACPDUsTx: number;
  dot3adAggPortStatsMarkerPDUsTx: number;
  dot3adAggPortStatsMarkerResponsePDUsTx: number;
}

/** Counter records by name: the keys a counter sample's NDJSON line carries. */
export interface CounterRecords {
  interface?: GenericInterfaceCounters;
  ethernet?: EthernetCounters;
  lag?: LagPortCounters;
  processor?: { cpu5s: number; cpu1m: number; cpu5m: number; totalMemory: number; freeMemory: number };
  /** Open vSwitch: the OpenFlow datapath and port behind this ifIndex (format 1004). */
  openflowPort?: { datapathId: string; portNo: number };
  /** Open vSwitch: the port's name (format 1005). */
  portName?: string;
  /** Open vSwitch: ovs-vswitchd's own resources (format 2203). */
  appResources?: { userTime: number; systemTime: number; memUsed: number; memMax: number; fdOpen: number; fdMax: number; connOpen: number; connMax: number };
  /** Open vSwitch: datapath cache statistics (format 2207). */
  ovsDatapath?: { hits: number; misses: number; lost: number; maskHits: number; flows: number; masks: number };
  unknown?: UnknownRecord[];
}

/** Decode one counter record body into `into`; `r` spans exactly the record's bytes. */
export function decodeCounterRecord(enterprise: number, format: number, r: XdrReader, into: CounterRecords): void {
  if (enterprise === 0) {
    switch (format) {
      case 1:
        into.interface = decodeGeneric(r);
        return;
      case 2: {
        const e = {} as EthernetCounters;
        for (const name of ETHERNET_FIELDS) e[name] = r.u32(name);
        into.ethernet = e;
        return;
      }
      case 7:
        into.lag = decodeLag(r);
        return;
      case 1001:
        into.processor = {
          cpu5s: r.u32('5s_cpu'),
          cpu1m: r.u32('1m_cpu'),
          cpu5m: r.u32('5m_cpu'),
          totalMemory: r.u64('total_memory'),
          freeMemory: r.u64('free_memory'),
        };
        return;
      case 1004: {
        r.need(8, 'datapath_id');
        const datapathId = r.buf.subarray(r.pos, r.pos + 8).toString('hex');
        r.pos += 8;
        into.openflowPort = { datapathId, portNo: r.u32('port_no') };
        return;
      }
      case 1005:
        into.portName = r.string('port_name', 255);
        return;
      case 2203:
        into.appResources = {
          userTime: r.u32('user_time'),
          systemTime: r.u32('system_time'),
          memUsed: r.u64('mem_used'),
          memMax: r.u64('mem_max'),
          fdOpen: r.u32('fd_open'),
          fdMax: r.u32('fd_max'),
          connOpen: r.u32('conn_open'),
          connMax: r.u32('conn_max'),
        };
        return;
      case 2207:
        into.ovsDatapath = {
          hits: r.u32('n_hit'),
          misses: r.u32('n_missed'),
          lost: r.u32('n_lost'),
          maskHits: r.u32('n_mask_hit'),
          flows: r.u32('n_flows'),
          masks: r.u32('n_masks'),
        };
        return;
    }
  }
  (into.unknown ??= []).push({ type: 'unknown', enterprise, format, length: r.remaining });
}

function decodeGeneric(r: XdrReader): GenericInterfaceCounters {
  const ifIndex = r.u32('ifIndex');
  const ifType = r.u32('ifType');
  const ifSpeed = r.u64('ifSpeed');
  const ifDirection = r.u32('ifDirection');
  const status = r.u32('ifStatus');
  return {
    ifIndex,
    ifType,
    ifSpeed,
    ifDirection,
    adminStatus: status & 1 ? 'up' : 'down',
    operStatus: status & 2 ? 'up' : 'down',
    ifInOctets: r.u64('ifInOctets'),
    ifInUcastPkts: r.u32('ifInUcastPkts'),
    ifInMulticastPkts: r.u32('ifInMulticastPkts'),
    ifInBroadcastPkts: r.u32('ifInBroadcastPkts'),
    ifInDiscards: r.u32('ifInDiscards'),
    ifInErrors: r.u32('ifInErrors'),
    ifInUnknownProtos: r.u32('ifInUnknownProtos'),
    ifOutOctets: r.u64('ifOutOctets'),
    ifOutUcastPkts: r.u32('ifOutUcastPkts'),
    ifOutMulticastPkts: r.u32('ifOutMulticastPkts'),
    ifOutBroadcastPkts: r.u32('ifOutBroadcastPkts'),
    ifOutDiscards: r.u32('ifOutDiscards'),
    ifOutErrors: r.u32('ifOutErrors'),
    ifPromiscuousMode: r.u32('ifPromiscuousMode'),
  };
}

function decodeLag(r: XdrReader): LagPortCounters {
  const actor = mac(r.fixed(6, 'dot3adAggPortActorSystemID'));
  const partner = mac(r.fixed(6, 'dot3adAggPortPartnerOperSystemID'));
  const attached = r.u32('dot3adAggPortAttachedAggID');
  // the four state octets travel as one word in this order (sflowtool reads them unswapped)
  const state = r.fixed(4, 'dot3adAggPortState');
  return {
    dot3adAggPortActorSystemID: actor,
    dot3adAggPortPartnerOperSystemID: partner,
    dot3adAggPortAttachedAggID: attached,
    actorAdminState: state[0]!,
    actorOperState: state[1]!,
    partnerAdminState: state[2]!,
    partnerOperState: state[3]!,
    dot3adAggPortStatsLACPDUsRx: r.u32('dot3adAggPortStatsLACPDUsRx'),
    dot3adAggPortStatsMarkerPDUsRx: r.u32('dot3adAggPortStatsMarkerPDUsRx'),
    dot3adAggPortStatsMarkerResponsePDUsRx: r.u32('dot3adAggPortStatsMarkerResponsePDUsRx'),
    dot3adAggPortStatsUnknownRx: r.u32('dot3adAggPortStatsUnknownRx'),
    dot3adAggPortStatsIllegalRx: r.u32('dot3adAggPortStatsIllegalRx'),
    dot3adAggPortStatsLACPDUsTx: r.u32('dot3adAggPortStatsLACPDUsTx'),
    dot3adAggPortStatsMarkerPDUsTx: r.u32('dot3adAggPortStatsMarkerPDUsTx'),
    dot3adAggPortStatsMarkerResponsePDUsTx: r.u32('dot3adAggPortStatsMarkerResponsePDUsTx'),
  };
}
