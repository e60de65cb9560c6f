import { bgpChange, lagMember, recognised, tableNormaliser, vrfName, type TagHandler } from './common.js';
import { upDownStates } from './cisco-lines.js';
import { isisNeighbor, ospfNeighbor } from './adjacency.js';

/**
 * Cisco NX-OS (year-first timestamps, no program tag):
 *   %BGP-5-ADJCHANGE:  bgp-65001 [28429] (default) neighbor 192.168.1.2 Down - sent:  holdtimer expired error
 *   %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down (Link failure)     (every IF_DOWN_* variant)
 *   %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode access
 *   %ETH_PORT_CHANNEL-5-PORT_DOWN: port-channel1: Ethernet1/1 is down      (PORT_UP, PORT_SUSPENDED alike)
 *   %ETH_PORT_CHANNEL-5-PORT_SUSPENDED: Ethernet1/38: Ethernet1/38 is suspended   (no port-channel named)
 *   %ETH_PORT_CHANNEL-5-PORT_INDIVIDUAL_DOWN: individual port Ethernet1/33 is down (member not bundled: a plain interface)
 *   %OSPF-5-ADJCHANGE:  ospf-1 [3890]  Nbr 10.0.0.2 on Ethernet1/1 went DOWN
 *   %ISIS-5-ADJCHANGE:  isis-1 [4221]  LAN adj L2 0000.0000.0002 over Ethernet1/1 - DOWN (Hold timer expired) on MT-0
 *   %BFD-5-SESSION_STATE_DOWN: BFD session 1090519041 to neighbor 10.0.0.2 on interface Eth1/1 has gone down. Reason: Control Detection Time Expired.
 *   %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.0.0.1@pts/0
 */
const BGP = /(?:^|\s)(?:\((\S+)\)\s+)?neighbor (\S+) (Up|Down)(?:\s*-\s*(.*))?$/;
const IF_DOWN = /^Interface (\S+) is down(?: \((.*)\))?/;
const IF_UP = /^Interface (\S+) is up/;
const PORT_CHANNEL = /^(\S+): (\S+) is (down|up|suspended)/;
const OSPF = /Nbr (\S+) on (\S+) went (\S+)/;
const ISIS = /adj (L\d) (\S+) over (\S+) - (UP|DOWN|INIT)(?: \(([^)]*)\))?/i;
const INDIVIDUAL_DOWN = /^individual port (\S+) is down/;
const BFD = /to neighbor (\S+) on interface (\S+) has gone (down|up)(?:\.? Reason: (.*?)\.?)?$/i;
const CONFIG = /^Configured from (\S+) by (\S+)(?: on (\S+))?/;

const portChannel: TagHandler = (text) => {
  const m = PORT_CHANNEL.exec(text);
  if (!m) return null;
  const lag = /^port-channel/i.test(m[1]!) ? m[1]! : null;
  return lagMember(m[3] === 'up', lag, m[2]!, m[3] === 'suspended' ? 'suspended' : null);
};

const bfd: TagHandler = (text) => {
  const m = BFD.exec(text);
  if (!m) return null;
  return recognised('network.bfd_state_changed', { peer: m[1], interface: m[2], state: m[3]!.toLowerCase(), diagnostic: m[4] });
};

export const ciscoNxos = tableNormaliser(
  'cisco_nxos',
  {
    'BGP-ADJCHANGE': (text) => {
      const m = BGP.exec(text);
      if (!m) return null;
      const as = /bgp-(\d+(?:\.\d+)?)/.exec(text)?.[1];
      return bgpChange({ peer: m[2]!, ...upDownStates(m[3]!), vrf: vrfName(m[1]) ?? 'default', reason: m[4]?.replace(/\s+/g, ' '), local_as: as });
    },
    'ETHPORT-IF_UP': (text) => {
      const m = IF_UP.exec(text);
      return m ? recognised('network.interface_up', { interface: m[1] }) : null;
    },
    'ETH_PORT_CHANNEL-PORT_DOWN': portChannel,
    'ETH_PORT_CHANNEL-PORT_UP': portChannel,
    'ETH_PORT_CHANNEL-PORT_SUSPENDED': portChannel,
    'ETH_PORT_CHANNEL-PORT_INDIVIDUAL_DOWN': (text) => {
      const m = INDIVIDUAL_DOWN.exec(text);
      return m ? recognised('network.interface_down', { interface: m[1], reason: 'individual port' }) : null;
    },
    'OSPF-ADJCHANGE': (text) => {
      const m = OSPF.exec(text);
      return m ? ospfNeighbor(null, m[3]!, { neighbor: m[1], interface: m[2] }) : null;
    },
    'ISIS-ADJCHANGE': (text) => {
      const m = ISIS.exec(text);
      return m ? isisNeighbor(null, m[4]!, { neighbor: m[2], interface: m[3], level: m[1], reason: m[5] }) : null;
    },
    'BFD-SESSION_STATE_DOWN': bfd,
    'BFD-SESSION_STATE_UP': bfd,
    'VSHD-VSHD_SYSLOG_CONFIG_I': (text) => {
      const m = CONFIG.exec(text);
      return m ? recognised('network.config_committed', { user: m[2], method: m[1], line: m[3] }) : null;
    },
  },
  [
    [
      'ETHPORT-IF_DOWN',
      (text) => {
        const m = IF_DOWN.exec(text);
        return m ? recognised('network.interface_down', { interface: m[1], reason: m[2] }) : null;
      },
    ],
  ],
);
