import type { Platform } from '../platform.js';
import { CISCO_LIKE_FAILURES, single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';
import { parseCiscoInterfaces } from '../../parsing/cisco-interfaces.js';
import { parseCiscoLagSummary } from '../../parsing/cisco-lag.js';
import { parseCiscoLldpNeighbors } from '../../parsing/cisco-lldp.js';
import { IOS_VERSION, versionParser } from '../../parsing/show-version.js';

const bgp = single('bgp_neighbors', 'show ip bgp summary', (out, cmd, warn) => parseCiscoBgpSummary(out, 'cisco_ios', cmd, warn));
const interfaces = single('interfaces', 'show interfaces', (out, _cmd, warn) => parseCiscoInterfaces(out, warn));
const lldp = single('lldp_neighbors', 'show lldp neighbors', (out, _cmd, warn) => parseCiscoLldpNeighbors(out, warn));
const facts = single('facts', 'show version', versionParser('cisco_ios', 'Cisco', IOS_VERSION));
const lag = single('lag_members', 'show etherchannel summary', (out, _cmd, warn) => parseCiscoLagSummary(out, warn));

/** Cisco IOS and IOS-XE: `R1>` user exec, `R1#` privileged, `R1(config-if)#` config. */
export const cisco_ios: Platform = {
  name: 'cisco_ios',
  vendor: 'Cisco',
  promptSuffix: { exec: '>', privileged: '#', config: '\\(config[^)]*\\)#' },
  promptEnd: /[#>]\s*$/,
  onOpen: ['terminal length 0', 'terminal width 511'],
  pager: /--More--\s*$/,
  enable: { command: 'enable', passwordPrompt: /[Pp]assword:\s*$/ },
  configEnter: 'configure terminal',
  configExit: 'end',
  failurePatterns: CISCO_LIKE_FAILURES,
  getters: { facts: facts.recipe, bgp_neighbors: bgp.recipe, interfaces: interfaces.recipe, lldp_neighbors: lldp.recipe, lag_members: lag.recipe },
  parsers: {
    'show ip bgp summary': bgp.parser,
    'show bgp summary': bgp.parser,
    'show bgp all summary': bgp.parser,
    'show bgp ipv4 unicast summary': bgp.parser,
    'show ip bgp all summary': bgp.parser,
    'show interfaces': interfaces.parser,
    'show lldp neighbors': lldp.parser,
    'show etherchannel summary': lag.parser,
    'show version': facts.parser,
  },
};
