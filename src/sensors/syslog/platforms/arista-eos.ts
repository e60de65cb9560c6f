import { asNumber, bfdState, bgpChange, bgpState, recognised, tableNormaliser, vrfName } from './common.js';
import { configuredFrom, lineProtocolUpDown, linkUpDown } from './cisco-lines.js';
import { isisNeighbor } from './adjacency.js';

/**
 * Arista EOS: an agent tag, then an IOS-style mnemonic.
 *   Bgp: %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state Established event AdminReset new state Idle
 *   Bfd: %BFD-5-STATE_CHANGE: peer (vrf:default, ip:18.11.5.1, intf:Ethernet50/1, srcIp:0.0.0.0, type:normal) changed state from Init to Up diag None
 *   Rib: %BGP-5-ADJCHANGE: peer 1.2.3.4 (AS 12345) old state Established event Stop new state Idle     (no VRF)
 *   Ebra: %LINEPROTO-5-UPDOWN / %LINK-3-UPDOWN, with the description after the name since 4.19.6
 *   Isis: %ISIS-4-ISIS_ADJCHG: L1 Neighbor State Change for SystemID 1920.0000.2006 on et7 to DOWN: interface went down
 *   ConfigAgent: %SYS-5-CONFIG_I: Configured from console by admin on vty3 (172.16.0.1)
 *   ConfigAgent: %SYS-5-CONFIG_STARTUP: Startup config saved from system:/running-config by admin on vty3 (127.0.0.1).
 */
const BGP = /^peer (\S+) \((?:VRF (\S+) )?AS (\S+)\) old state (\S+) event (\S+) new state (\S+)/;
const BFD = /^peer \(([^)]*)\) changed state from (\S+) to (\S+)(?: diag (.*))?$/;
const ISIS = /^(L\d) Neighbor State Change for SystemID (\S+) on (\S+) to (\S+?)(?:: (.*))?$/;
const STARTUP_SAVED = /^Startup config saved from (\S+) by (\S+)(?: on (\S+))?(?: \(([^)]*)\))?/;

export const aristaEos = tableNormaliser('arista_eos', {
  'BGP-ADJCHANGE': (text) => {
    const m = BGP.exec(text);
    const state = bgpState(m?.[6]);
    if (!m || !state) return null;
    return bgpChange({ peer: m[1]!, state, previous_state: bgpState(m[4]), peer_as: asNumber(m[3]), vrf: vrfName(m[2]) ?? 'default', reason: m[5] });
  },
  'BFD-STATE_CHANGE': (text) => {
    const m = BFD.exec(text);
    const state = bfdState(m?.[3]);
    if (!m || !state) return null;
    const attrs: Record<string, string> = {};
    for (const kv of m[1]!.split(',')) {
      const c = kv.indexOf(':');
      if (c > 0) attrs[kv.slice(0, c).trim()] = kv.slice(c + 1).trim();
    }
    if (!attrs.ip) return null;
    return recognised('network.bfd_state_changed', {
      peer: attrs.ip,
      state,
      previous_state: bfdState(m[2]),
      interface: attrs.intf,
      vrf: vrfName(attrs.vrf),
      diagnostic: m[4],
    });
  },
  'LINK-UPDOWN': linkUpDown,
  'LINK-CHANGED': linkUpDown,
  'LINEPROTO-UPDOWN': lineProtocolUpDown,
  'SYS-CONFIG_I': configuredFrom,
  'SYS-CONFIG_STARTUP': (text) => {
    const m = STARTUP_SAVED.exec(text);
    return m ? recognised('network.config_committed', { user: m[2], operation: 'save', source: m[1], line: m[3], address: m[4] }) : null;
  },
  'ISIS-ISIS_ADJCHG': (text) => {
    const m = ISIS.exec(text);
    return m ? isisNeighbor(null, m[4]!, { neighbor: m[2], interface: m[3], level: m[1], reason: m[5] }) : null;
  },
});
