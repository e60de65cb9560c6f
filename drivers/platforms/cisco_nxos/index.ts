import type { Platform } from '../platform.js';
import { CISCO_LIKE_FAILURES, single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';
import { parseCiscoLagSummary } from '../../parsing/cisco-lag.js';
import { parseCiscoInterfaces } from '../../parsing/cisco-interfaces.js';
import { parseCiscoLldpNeighbors } from '../../parsing/cisco-lldp.js';
import { NXOS_VERSION, versionParser } from '../../parsing/show-version.js';

const bgp = single('bgp_neighbors', 'show ip bgp summary vrf all', (out, cmd, warn) => parseCiscoBgpSummary(out, 'cisco_nxos', cmd, warn));
const lldp = single('lldp_neighbors', 'show lldp neighbors', (out, _cmd, warn) => parseCiscoLldpNeighbors(out, warn));
const facts = single('facts', 'show version', versionParser('cisco_nxos', 'Cisco', NXOS_VERSION));
const interfaces = single('interfaces', 'show interface', (out, _cmd, warn) => parseCiscoInterfaces(out, warn));
const lag = single('lag_members', 'show port-channel summary', (out, _cmd, warn) => parseCiscoLagSummary(out, warn));

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
  getters: { facts: facts.recipe, interfaces: interfaces.recipe, bgp_neighbors: bgp.recipe, lldp_neighbors: lldp.recipe, lag_members: lag.recipe },
  parsers: {
    'show ip bgp summary': bgp.parser,
    'show ip bgp summary vrf all': bgp.parser,
    'show bgp ipv4 unicast summary': bgp.parser,
    'show bgp summary': bgp.parser,
    'show lldp neighbors': lldp.parser,
    'show port-channel summary': lag.parser,
    'show version': facts.parser,
    'show interface': interfaces.parser,
  },
};
