import { asNumber, bgpChange, lagMember, recognised, tableNormaliser, vrfName } from './common.js';
import { upDownStates } from './cisco-lines.js';
import { ospfAdjacency } from './cisco-ios.js';

/**
 * Cisco IOS-XR (node id before the time, process tag, `%GROUP-FACILITY-SEV-MNEMONIC :`):
 *   %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Down - BGP Notification sent, hold time expired (VRF: default) (AS: 65002)
 *   %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/0, changed state to Down
 *   %PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol on Interface GigabitEthernet0/0/0/0, changed state to Down
 *   %L2-BM-6-ACTIVE : GigabitEthernet0/0/0/1 is no longer Active as part of Bundle-Ether1 (Link is down)
 *   %ROUTING-OSPF-5-ADJCHG : Process 1, Nbr 10.0.0.2 on GigabitEthernet0/0/0/0 in area 0 from FULL to DOWN, Neighbor Down: dead timer expired, vrf default vrfid 0x60000000
 *   %ROUTING-ISIS-5-ADJCHANGE : Adjacency to R2 (GigabitEthernet0/0/0/0) (L2) Down, Interface state down
 *   %L2-BFD-6-SESSION_STATE_DOWN : BFD session to neighbor 10.0.0.2 on interface GigabitEthernet0/0/0/0 is down
 *   %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'admin'. Use 'show configuration commit changes 1000000001' to view the changes.
 */
const BGP = /^neighbor (\S+) (Up|Down)(?: - (.*?))?(?: \(VRF: ([^)]+)\))?(?: \(AS: ([^)]+)\))?\s*$/;
const LINK = /^Interface (\S+), changed state to (Up|Down|Administratively Down)/i;
const LINEPROTO = /^Line protocol on Interface (\S+), changed state to (Up|Down)/i;
const BUNDLE = /^(\S+) is (no longer )?Active as part of (\S+?)(?: \((.*)\))?$/;
const OSPF = /^Process (\S+), Nbr (\S+) on (\S+)(?: in area \S+)? from (\S+) to ([^,]+)(?:, (.*?))?(?:, vrf \S+.*)?$/;
const ISIS = /^Adjacency to (\S+) \(([^)]+)\) \((L\d)\) (Up|Down)(?:, (.*))?$/;
const BFD = /^BFD session to neighbor (\S+) on interface (\S+) is (down|up)/i;
const COMMIT = /^Configuration committed by user '([^']*)'\.(?: Use 'show configuration commit changes (\S+)')?/;

export const ciscoIosxr = tableNormaliser('cisco_iosxr', {
  'ROUTING-BGP-ADJCHANGE': (text) => {
    const m = BGP.exec(text);
    if (!m) return null;
    return bgpChange({ peer: m[1]!, ...upDownStates(m[2]!), vrf: vrfName(m[4]) ?? 'default', peer_as: asNumber(m[5]), reason: m[3] });
  },
  'PKT_INFRA-LINK-UPDOWN': (text) => {
    const m = LINK.exec(text);
    if (!m) return null;
    const s = m[2]!.toLowerCase();
    return recognised(s === 'up' ? 'network.interface_up' : 'network.interface_down', { interface: m[1], layer: s === 'up' || s === 'down' ? 'link' : 'admin', reason: s === 'administratively down' ? s : null });
  },
  'PKT_INFRA-LINEPROTO-UPDOWN': (text) => {
    const m = LINEPROTO.exec(text);
    return m ? recognised(m[2]!.toLowerCase() === 'up' ? 'network.interface_up' : 'network.interface_down', { interface: m[1], layer: 'line_protocol' }) : null;
  },
  'L2-BM-ACTIVE': (text) => {
    const m = BUNDLE.exec(text);
    return m ? lagMember(!m[2], m[3], m[1]!, m[4]) : null;
  },
  'ROUTING-OSPF-ADJCHG': (text) => ospfAdjacency(OSPF.exec(text)),
  'ROUTING-ISIS-ADJCHANGE': (text) => {
    const m = ISIS.exec(text);
    if (!m) return null;
    return recognised(m[4] === 'Up' ? 'network.isis_neighbor_up' : 'network.isis_neighbor_down', { neighbor: m[1], interface: m[2], level: m[3], reason: m[5] });
  },
  'L2-BFD-SESSION_STATE_DOWN': (text) => bfd(text),
  'L2-BFD-SESSION_STATE_UP': (text) => bfd(text),
  'MGBL-CONFIG-DB_COMMIT': (text) => {
    const m = COMMIT.exec(text);
    return m ? recognised('network.config_committed', { user: m[1], commit_id: m[2] }) : null;
  },
});

function bfd(text: string): ReturnType<typeof recognised> | null {
  const m = BFD.exec(text);
  return m ? recognised('network.bfd_state_changed', { peer: m[1], interface: m[2], state: m[3]!.toLowerCase() }) : null;
}
