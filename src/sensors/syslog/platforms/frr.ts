import { recognised, tableNormaliser, vrfName, bgpChange, bfdState } from './common.js';
import { upDownStates } from './cisco-lines.js';
import { isisNeighbor, ospfNeighbor } from './adjacency.js';

/**
 * FRRouting 8.x (daemon tag, the unique log id in brackets, then the text), as recorded in the lab:
 *   bgpd: [N9HHH-F8H1M] %ADJCHANGE: neighbor 10.0.12.2(r2) in vrf default Up
 *   bgpd: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.2(r2) in vrf default Down Admin. shutdown
 *   bgpd: %ADJCHANGE: neighbor 10.0.0.1 Down BGP Notification send     (older releases: no id, no vrf)
 *   isisd: %ADJCHANGE: Adjacency to r2 (eth0) for level-2 changed from Initializing to Up, new adjacency
 *   ospfd: [Y05P2-YJVXY] AdjChg: Nbr 10.255.0.3, NbrIP 10.0.23.2 (default) on eth2:10.0.23.1: Full -> Deleted (KillNbr)
 *   ospf6d: [GHN28-AMRE7] AdjChg: Nbr 10.0.0.2(default) on 10.0.0.2%enp7s0: Full -> Down (KillNbr)
 *   bfdd: state-change: [mhop:no peer:10.0.12.2 local:10.0.12.1 vrf:default ifname:veth12a] up -> down reason:control-expired
 * The `(r2)` after the address is the peer's hostname (BGP hostname capability).
 */
const BGP = /^neighbor ([^\s(]+)(?:\(([^)]*)\))?(?: in vrf (\S+))? (Up|Down)\s*(.*)$/;
const ISIS = /^Adjacency to (\S+) \(([^)]+)\)(?: for (\S+))? changed from (\S+) to (\S+), (.*)$/;
const OSPF = /^Nbr ([^\s,(]+)(?:, NbrIP (\S+))? ?\(([^)]*)\) on (\S+?): (\S+) -> (\S+) \(([^)]*)\)/;
const BFD = /^\[([^\]]*)\] (\S+) -> (\S+)(?: reason:(\S+))?/;

export const frr = tableNormaliser('frr', {
  ADJCHANGE: (text) => {
    if (text.startsWith('neighbor ')) {
      const m = BGP.exec(text);
      if (!m) return null;
      return bgpChange({ peer: m[1]!, peer_hostname: m[2], ...upDownStates(m[4]!), vrf: vrfName(m[3]) ?? 'default', reason: m[5] });
    }
    const m = ISIS.exec(text);
    if (!m) return null;
    return isisNeighbor(m[4], m[5]!, { neighbor: m[1], interface: m[2], level: m[3], reason: m[6] });
  },
  AdjChg: (text) => {
    const m = OSPF.exec(text);
    if (!m) return null;
    // "eth2:10.0.23.1" (ospfd) or "10.0.0.2%enp7s0" (ospf6d)
    const where = m[4]!;
    const pct = where.indexOf('%');
    const iface = pct >= 0 ? where.slice(pct + 1) : where.split(':')[0];
    return ospfNeighbor(m[5], m[6]!, { neighbor: m[1], neighbor_address: m[2], vrf: vrfName(m[3]), interface: iface, reason: m[7] });
  },
  'state-change': (text) => {
    const m = BFD.exec(text);
    const state = bfdState(m?.[3]);
    if (!m || !state) return null;
    const attrs: Record<string, string> = {};
    for (const kv of m[1]!.split(' ')) {
      const c = kv.indexOf(':');
      if (c > 0) attrs[kv.slice(0, c)] = kv.slice(c + 1);
    }
    if (!attrs.peer) return null;
    return recognised('network.bfd_state_changed', {
      peer: attrs.peer,
      state,
      previous_state: bfdState(m[2]),
      interface: attrs.ifname,
      vrf: vrfName(attrs.vrf),
      diagnostic: m[4],
    });
  },
});
