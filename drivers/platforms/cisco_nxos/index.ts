import type { Platform } from '../platform.js';
import { CISCO_LIKE_FAILURES, single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';
import { parseCiscoLagSummary } from '../../parsing/cisco-lag.js';
import { parseCiscoLldpNeighbors } from '../../parsing/cisco-lldp.js';

const bgp = single('bgp_neighbors', 'show ip bgp summary vrf all', (out, cmd) => parseCiscoBgpSummary(out, 'cisco_nxos', cmd));
const lldp = single('lldp_neighbors', 'show lldp neighbors', (out) => parseCiscoLldpNeighbors(out));
const lag = single('lag_members', 'show port-channel summary', (out) => parseCiscoLagSummary(out));

/** Cisco NX-OS: `switch#`, `switch(config-if)#`; no user exec mode over SSH. */
export const cisco_nxos: Platform = {
  name: 'cisco_nxos',
  vendor: 'Cisco',
  promptSuffix: { privileged: '#', config: '\\(config[^)]*\\)#' },
  promptEnd: /#\s*$/,
  onOpen: ['terminal length 0', 'terminal width 511'],
  pager: /--More--\s*$/,
  configEnter: 'configure terminal',
  configExit: 'end',
  failurePatterns: [...CISCO_LIKE_FAILURES, /^% ?Permission denied/m],
  getters: { bgp_neighbors: bgp.recipe, lldp_neighbors: lldp.recipe, lag_members: lag.recipe },
  parsers: {
    'show ip bgp summary': bgp.parser,
    'show ip bgp summary vrf all': bgp.parser,
    'show bgp ipv4 unicast summary': bgp.parser,
    'show bgp summary': bgp.parser,
    'show lldp neighbors': lldp.parser,
    'show port-channel summary': lag.parser,
  },
};
