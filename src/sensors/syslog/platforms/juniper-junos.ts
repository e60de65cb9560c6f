import { asNumber, bfdState, bgpChange, bgpState, lagMember, recognised, tableNormaliser, vrfName } from './common.js';
import { ospfNeighbor } from './adjacency.js';

/**
 * Juniper Junos (daemon tag, then an UPPER_SNAKE event id):
 *   rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 1.1.1.1 (External AS 2222) changed state from Active to Idle (event Stop) (instance master)
 *   mib2d[1]: SNMP_TRAP_LINK_DOWN: ifIndex 523, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/0
 *   lacpd[1]: LACPD_TIMEOUT: ge-0/0/1: lacp current while timer expired current Receive State: CURRENT
 *   lacpd[1]: LACP_INTF_DOWN: ae105: Interface marked down due to lacp timeout on member et-0/0/25:3
 *   rpd[2902]: RPD_OSPF_NBRDOWN: OSPF neighbor 1.1.1.1 (realm ospf-v2 ge-0/0/0.0 area 0.0.0.0) state changed from Full to Down due to KillNbr (...)
 *   rpd[2902]: RPD_ISIS_ADJDOWN: IS-IS lost L2 adjacency to r2 on ge-0/0/0.0, reason: 3-Way Handshake Failed
 *   bfdd[1]: BFDD_STATE_UP_TO_DOWN: BFD Session 10.0.0.2 (IFL 330) state Up -> Down LD/RD(16/17) Up time:00:10:00 Local diag: CtlExpire ...
 *   mgd[7729]: UI_COMMIT: User 'admin' requested 'commit' operation (comment: none)
 *   mgd[7729]: UI_LOAD_EVENT: User 'luke' is performing a 'rollback 3'      (loads rollback 3 into the candidate)
 * One commit is one event: UI_COMMIT (it names the user). The progress lines that follow it,
 * `UI_COMMIT_PROGRESS: ...: commit complete` and `UI_COMMIT_COMPLETED`, stay network.syslog.
 */
const BGP = /^BGP peer (\S+) \((?:(\w+) )?AS (\S+)\) changed state from (\S+) to (\S+) \(event ([^)]+)\)(?: \(instance ([^)]+)\))?/;
const SNMP_LINK = /ifName (\S+)/;
const SNMP_IFINDEX = /ifIndex (\d+)/;
const LACP_TIMEOUT = /^(\S+?): lacp current while timer expired/;
const LACP_INTF_DOWN = /^(\S+?): Interface marked down due to (.+?) on member (\S+)$/;
const ROLLBACK = /^User '([^']*)' is performing a 'rollback(?: (\d+))?'/;
const OSPF = /^OSPF neighbor (\S+) \(realm (\S+) (\S+) area (\S+)\) state changed from (\S+) to (\S+) due to (\S+)(?: \(event reason: ([^)]*)\))?/;
const ISIS_DOWN = /^IS-IS lost (L\d) adjacency to (\S+) on ([^,\s]+)(?:, reason: (.*))?$/;
const ISIS_UP = /^IS-IS new (L\d) adjacency to (\S+) on ([^,\s]+)/;
const BFD = /^BFD Session (\S+) \(IFL (\S+)\) state (\S+) -> (\S+)(?:.*?Local diag: (\S+))?/;
const UI_COMMIT = /^User '([^']*)' requested '([^']*)' operation(?: \(comment: (.*)\))?/;

/** Junos writes `peer+port` for the TCP endpoint: `10.0.0.2+179`, `2001:db8::2+179`. */
function peerAddress(s: string): string {
  return s.replace(/\+\d+$/, '');
}

export const juniperJunos = tableNormaliser(
  'juniper_junos',
  {
    RPD_BGP_NEIGHBOR_STATE_CHANGED: (text) => {
      const m = BGP.exec(text);
      const state = bgpState(m?.[5]);
      if (!m || !state) return null;
      return bgpChange({
        peer: peerAddress(m[1]!),
        state,
        previous_state: bgpState(m[4]),
        peer_as: asNumber(m[3]),
        peer_type: m[2]?.toLowerCase(),
        vrf: vrfName(m[7]) ?? 'default',
        reason: m[6],
      });
    },
    SNMP_TRAP_LINK_DOWN: (text) => snmpLink(text, false),
    SNMP_TRAP_LINK_UP: (text) => snmpLink(text, true),
    LACPD_TIMEOUT: (text) => {
      const m = LACP_TIMEOUT.exec(text);
      return m ? lagMember(false, null, m[1]!, 'lacp timeout') : null;
    },
    LACP_INTF_DOWN: (text) => {
      const m = LACP_INTF_DOWN.exec(text);
      return m ? lagMember(false, m[1], m[3]!, m[2]) : null;
    },
    RPD_OSPF_NBRDOWN: (text) => ospf(text),
    RPD_OSPF_NBRUP: (text) => ospf(text),
    RPD_ISIS_ADJDOWN: (text) => {
      const m = ISIS_DOWN.exec(text);
      return m ? recognised('network.isis_neighbor_down', { neighbor: m[2], interface: m[3], level: m[1], reason: m[4] }) : null;
    },
    RPD_ISIS_ADJUP: (text) => {
      const m = ISIS_UP.exec(text);
      return m ? recognised('network.isis_neighbor_up', { neighbor: m[2], interface: m[3], level: m[1] }) : null;
    },
    UI_COMMIT: (text) => {
      const m = UI_COMMIT.exec(text);
      if (!m || !m[2]!.startsWith('commit')) return null;
      return recognised('network.config_committed', { user: m[1], operation: m[2], comment: m[3] === 'none' ? null : m[3] });
    },
    UI_LOAD_EVENT: (text) => {
      const m = ROLLBACK.exec(text);
      // `rollback` without a number is rollback 0, the active configuration
      return m ? recognised('network.config_rollback', { user: m[1], rollback: m[2] ? Number(m[2]) : 0, applied: false }) : null;
    },
  },
  [
    [
      'BFDD_STATE_',
      (text) => {
        const m = BFD.exec(text);
        const state = bfdState(m?.[4]);
        if (!m || !state) return null;
        return recognised('network.bfd_state_changed', { peer: m[1], ifl: m[2], state, previous_state: bfdState(m[3]), diagnostic: m[5] });
      },
    ],
  ],
);

function snmpLink(text: string, up: boolean): ReturnType<typeof recognised> | null {
  const name = SNMP_LINK.exec(text)?.[1];
  if (!name) return null;
  const ifIndex = SNMP_IFINDEX.exec(text)?.[1];
  return recognised(up ? 'network.interface_up' : 'network.interface_down', { interface: name.replace(/,$/, ''), if_index: ifIndex ? Number(ifIndex) : null });
}

/** Junos logs every upward OSPF step as NBRUP; only reaching Full is `ospf_neighbor_up` (as the trigger type says), the steps before are `ospf_neighbor_state_changed`. */
function ospf(text: string): ReturnType<typeof recognised> | null {
  const m = OSPF.exec(text);
  if (!m) return null;
  return ospfNeighbor(m[5], m[6]!, { neighbor: m[1], realm: m[2], interface: m[3], area: m[4], reason: m[8] ?? m[7] });
}
