import type { Platform } from '../platform.js';
import { CISCO_LIKE_FAILURES, single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';
import { parseCiscoInterfaces } from '../../parsing/cisco-interfaces.js';
import { parseCiscoLldpNeighbors } from '../../parsing/cisco-lldp.js';
import { IOSXR_VERSION, versionParser } from '../../parsing/show-version.js';
import { parseIosxrBundles } from './bundles.js';

const bgp = single('bgp_neighbors', 'show bgp summary', (out, cmd, warn) => parseCiscoBgpSummary(out, 'cisco_iosxr', cmd, warn));
const facts = single('facts', 'show version', versionParser('cisco_iosxr', 'Cisco', IOSXR_VERSION));
const interfaces = single('interfaces', 'show interfaces', (out, _cmd, warn) => parseCiscoInterfaces(out, warn));
const lldp = single('lldp_neighbors', 'show lldp neighbors', (out, _cmd, warn) => parseCiscoLldpNeighbors(out, warn));
const lag = single('lag_members', 'show bundle', (out, _cmd, warn) => parseIosxrBundles(out, warn));

/** Cisco IOS-XR: `RP/0/RSP0/CPU0:pe1#`, `RP/0/RSP0/CPU0:pe1(config-bgp)#`; commits a candidate. */
export const cisco_iosxr: Platform = {
  name: 'cisco_iosxr',
  vendor: 'Cisco',
  promptSuffix: { privileged: '#', config: '\\(config[^)]*\\)#' },
  promptEnd: /#\s*$/,
  onOpen: ['terminal length 0', 'terminal width 512'],
  pager: /--More--\s*$/,
  configEnter: 'configure terminal',
  configExit: 'end',
  failurePatterns: [...CISCO_LIKE_FAILURES, /^% ?Failed to commit/m, /^!!% /m],
  getters: {
    facts: facts.recipe,
    interfaces: interfaces.recipe,
    bgp_neighbors: bgp.recipe,
    lldp_neighbors: lldp.recipe,
    lag_members: lag.recipe,
  },
  parsers: {
    'show bgp summary': bgp.parser,
    'show bgp ipv4 unicast summary': bgp.parser,
    'show bgp vrf all ipv4 unicast summary': bgp.parser,
    'show bgp instance all summary': bgp.parser,
    'show version': facts.parser,
    'show interfaces': interfaces.parser,
    'show lldp neighbors': lldp.parser,
    'show bundle': lag.parser,
  },
  candidate: {
    compare: 'show commit changes diff',
    commit: (comment) => (comment ? `commit comment ${comment}` : 'commit'),
    discard: 'abort',
    rollback: (steps) => ['end', `rollback configuration last ${steps}`],
  },
};
