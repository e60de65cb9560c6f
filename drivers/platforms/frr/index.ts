import type { WarnLine } from '../../parsing/warnings.js';
import type { Platform } from '../platform.js';
import { single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';
import { parseFrrInterfaces, parseFrrVersion } from './parsers.js';

const bgp = (out: string, cmd: string, warn?: WarnLine) => parseCiscoBgpSummary(out, 'frr', cmd, warn);
const bgpGetter = single('bgp_neighbors', 'show ip bgp summary', bgp);
const interfaces = single('interfaces', 'show interface', (out, _cmd, warn) => parseFrrInterfaces(out, warn));

/** FRR's vtysh, reached over SSH: lands in enable mode (`r1#`); `r1(config-router)#` in config. */
export const frr: Platform = {
  name: 'frr',
  vendor: 'FRRouting',
  promptSuffix: { exec: '>', privileged: '#', config: '\\(config[^)]*\\)#' },
  promptEnd: /[#>]\s*$/,
  onOpen: ['terminal length 0'],
  pager: /--More--\s*$/,
  enable: { command: 'enable', passwordPrompt: /[Pp]assword:\s*$/ },
  configEnter: 'configure terminal',
  configExit: 'end',
  failurePatterns: [
    /^% (Unknown command|Command incomplete|Ambiguous command|Invalid|Malformed|Specify|Configuration failed|There is no|Can't|Cannot|No such|Please specify|Create the peer-group)/m,
  ],
  getters: {
    bgp_neighbors: bgpGetter.recipe,
    interfaces: interfaces.recipe,
    facts: { commands: ['show version', 'show interface brief'], build: ([version, brief]) => parseFrrVersion(version ?? '', brief ?? '') },
  },
  parsers: {
    'show ip bgp summary': bgpGetter.parser,
    'show bgp summary': bgpGetter.parser,
    'show bgp ipv4 unicast summary': bgpGetter.parser,
    'show ip bgp ipv4 unicast summary': bgpGetter.parser,
    'show bgp ipv6 unicast summary': bgpGetter.parser,
    'show interface': interfaces.parser,
    'show version': { getter: 'facts', parse: (out) => parseFrrVersion(out) },
  },
};
