import { bgpChange, lagMember, recognised, tableNormaliser, vrfName } from './common.js';
import { configuredFrom, lineProtocolUpDown, linkUpDown, upDownStates } from './cisco-lines.js';

/**
 * Cisco IOS / IOS-XE (`%FACILITY-SEVERITY-MNEMONIC: text`):
 *   %BGP-5-ADJCHANGE: neighbor 10.0.0.2 vpn vrf CUST Down BGP Notification sent
 *   %LINK-3-UPDOWN, %LINK-5-CHANGED, %LINEPROTO-5-UPDOWN, %SYS-5-CONFIG_I
 *   %EC-5-BUNDLE / %EC-5-UNBUNDLE (EtherChannel members)
 *   %OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on Gi0/1 from FULL to DOWN, Neighbor Down: Dead timer expired
 *   %CLNS-5-ADJCHANGE: ISIS: Adjacency to R2 (Gi0/1) L2 Down, hold time expired
 */
const BGP = /^neighbor (\S+)(?: vpn vrf (\S+))? (Up|Down)\s*(.*)$/;
const EC_UNBUNDLE = /^Interface (\S+) left the port-channel (\S+)/;
const EC_BUNDLE = /^Interface (\S+) joined port-channel (\S+)/;
const OSPF = /^Process (\S+), Nbr (\S+) on (\S+) from (\S+) to ([^,]+)(?:, (.*))?$/;
const ISIS = /^ISIS: Adjacency to (\S+) \(([^)]+)\)(?: (L\d|Level-\d))? (Up|Down|Init)(?:, (.*))?$/i;

export const ciscoIos = tableNormaliser('cisco_ios', {
  'BGP-ADJCHANGE': (text) => {
    const m = BGP.exec(text);
    if (!m) return null;
    return bgpChange({ peer: m[1]!, ...upDownStates(m[3]!), vrf: vrfName(m[2]) ?? 'default', reason: m[4] || null });
  },
  'LINK-UPDOWN': linkUpDown,
  'LINK-CHANGED': linkUpDown,
  'LINEPROTO-UPDOWN': lineProtocolUpDown,
  'SYS-CONFIG_I': configuredFrom,
  'EC-UNBUNDLE': (text) => {
    const m = EC_UNBUNDLE.exec(text);
    return m ? lagMember(false, m[2], m[1]!) : null;
  },
  'EC-BUNDLE': (text) => {
    const m = EC_BUNDLE.exec(text);
    return m ? lagMember(true, m[2], m[1]!) : null;
  },
  'OSPF-ADJCHG': (text) => ospfAdjacency(OSPF.exec(text)),
  'CLNS-ADJCHANGE': (text) => {
    const m = ISIS.exec(text);
    if (!m || m[4]!.toLowerCase() === 'init') return null;
    return recognised(m[4]!.toLowerCase() === 'up' ? 'network.isis_neighbor_up' : 'network.isis_neighbor_down', { neighbor: m[1], interface: m[2], level: m[3], reason: m[5] });
  },
});

/** OSPF: reaching FULL is up; leaving FULL (or going DOWN) is down; other steps are just syslog. */
export function ospfAdjacency(m: RegExpExecArray | null): ReturnType<typeof recognised> | null {
  if (!m) return null;
  const from = m[4]!.toUpperCase();
  const to = m[5]!.toUpperCase();
  const fields = { process: m[1], neighbor: m[2], interface: m[3], previous_state: from.toLowerCase(), state: to.toLowerCase(), reason: m[6] };
  if (to === 'FULL') return recognised('network.ospf_neighbor_up', fields);
  if (from === 'FULL' || to === 'DOWN') return recognised('network.ospf_neighbor_down', fields);
  return null;
}
