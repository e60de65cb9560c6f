import type { Platform } from '../platform.js';
import { CISCO_LIKE_FAILURES, single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';

const bgp = single('bgp_neighbors', 'show bgp summary', (out, cmd, warn) => parseCiscoBgpSummary(out, 'cisco_iosxr', cmd, warn));

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
  getters: { bgp_neighbors: bgp.recipe },
  parsers: {
    'show bgp summary': bgp.parser,
    'show bgp ipv4 unicast summary': bgp.parser,
    'show bgp vrf all ipv4 unicast summary': bgp.parser,
    'show bgp instance all summary': bgp.parser,
  },
  candidate: {
    compare: 'show commit changes diff',
    commit: (comment) => (comment ? `commit comment ${comment}` : 'commit'),
    discard: 'abort',
    rollback: (steps) => ['end', `rollback configuration last ${steps}`],
  },
};
