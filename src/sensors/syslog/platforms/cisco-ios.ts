import { bgpChange, lagMember, recognised, tableNormaliser, vrfName, type Recognised, type TagHandler } from './common.js';
import { configuredFrom, lineProtocolUpDown, linkUpDown, upDownStates } from './cisco-lines.js';
import { isisNeighbor, ospfNeighbor } from './adjacency.js';

/**
 * Cisco IOS / IOS-XE (`%FACILITY-SEVERITY-MNEMONIC: text`):
 *   %BGP-5-ADJCHANGE: neighbor 10.0.0.2 vpn vrf CUST Down BGP Notification sent
 *   %BGP-5-ADJCHANGE: neighbor 1.2.3.4 passive vpn vrf BLUE Down AFI/SAFI not supported   (dynamic/passive peer)
 *   %LINK-3-UPDOWN, %LINK-5-CHANGED, %LINEPROTO-5-UPDOWN, %SYS-5-CONFIG_I
 *   %EC-5-BUNDLE / %EC-5-UNBUNDLE (EtherChannel members)
 *   %EC-5-L3DONTBNDL2: Gi1/0/2 suspended: LACP currently not enabled on the remote port.   (and L2/L3DONTBNDL1/2)
 *   %OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on Gi0/1 from FULL to DOWN, Neighbor Down: Dead timer expired
 *   %CLNS-5-ADJCHANGE: ISIS: Adjacency to R2 (Gi0/1) L2 Down, hold time expired
 */
const BGP = /^neighbor (\S+)(?: passive)?(?: vpn vrf (\S+))? (Up|Down)\s*(.*)$/;
const EC_UNBUNDLE = /^Interface (\S+) left the port-channel (\S+)/;
const EC_BUNDLE = /^Interface (\S+) joined port-channel (\S+)/;
const EC_SUSPENDED = /^(\S+) suspended: (.*?)\.?$/;
const OSPF = /^Process (\S+), Nbr (\S+) on (\S+) from (\S+) to ([^,]+)(?:, (.*))?$/;
const ISIS = /^ISIS: Adjacency to (\S+) \(([^)]+)\)(?: (L\d|Level-\d))? (Up|Down|Init)(?:, (.*))?$/i;

/** A member the switch will not bundle (the partner does not speak LACP/PAgP): out of the LAG. */
const ecSuspended: TagHandler = (text) => {
  const m = EC_SUSPENDED.exec(text);
  return m ? lagMember(false, null, m[1]!, m[2]) : null;
};

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
  'EC-L2DONTBNDL1': ecSuspended,
  'EC-L2DONTBNDL2': ecSuspended,
  'EC-L3DONTBNDL1': ecSuspended,
  'EC-L3DONTBNDL2': ecSuspended,
  'OSPF-ADJCHG': (text) => ospfAdjacency(OSPF.exec(text)),
  'CLNS-ADJCHANGE': (text) => {
    const m = ISIS.exec(text);
    if (!m) return null;
    return isisNeighbor(null, m[4]!, { neighbor: m[1], interface: m[2], level: m[3], reason: m[5] });
  },
});

/** IOS-style `Process P, Nbr N on I from A to B, reason`, shared with IOS-XR. */
export function ospfAdjacency(m: RegExpExecArray | null): Recognised | null {
  if (!m) return null;
  return ospfNeighbor(m[4], m[5]!, { process: m[1], neighbor: m[2], interface: m[3], reason: m[6] });
}
