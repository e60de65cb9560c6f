import { asNumber, bfdState, bgpChange, bgpState, recognised, tableNormaliser, vrfName } from './common.js';
import { configuredFrom, lineProtocolUpDown, linkUpDown } from './cisco-lines.js';

/**
 * Arista EOS: an agent tag, then an IOS-style mnemonic.
 *   Bgp: %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state Established event AdminReset new state Idle
 *   Bfd: %BFD-5-STATE_CHANGE: peer (vrf:default, ip:18.11.5.1, intf:Ethernet50/1, srcIp:0.0.0.0, type:normal) changed state from Init to Up diag None
 *   Ebra: %LINEPROTO-5-UPDOWN / %LINK-3-UPDOWN, ConfigAgent: %SYS-5-CONFIG_I
 */
const BGP = /^peer (\S+) \((?:VRF (\S+) )?AS (\S+)\) old state (\S+) event (\S+) new state (\S+)/;
const BFD = /^peer \(([^)]*)\) changed state from (\S+) to (\S+)(?: diag (.*))?$/;

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
    return recognised('network.bfd_state_changed', { peer: attrs.ip, state, previous_state: bfdState(m[2]), interface: attrs.intf, vrf: vrfName(attrs.vrf), diagnostic: m[4] });
  },
  'LINK-UPDOWN': linkUpDown,
  'LINK-CHANGED': linkUpDown,
  'LINEPROTO-UPDOWN': lineProtocolUpDown,
  'SYS-CONFIG_I': configuredFrom,
});
