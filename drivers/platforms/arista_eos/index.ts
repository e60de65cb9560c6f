import type { LldpNeighbor } from '../../contract/getters.js';
import type { WarnLine } from '../../parsing/warnings.js';
import type { Platform } from '../platform.js';
import { CISCO_LIKE_FAILURES, single } from '../platform.js';
import { parseCiscoInterfaces } from '../../parsing/cisco-interfaces.js';
import { EOS_VERSION, versionParser } from '../../parsing/show-version.js';
import { parseEosBgpSummary } from './bgp-summary.js';
import { parsePortChannelSummary } from './port-channels.js';

/** EOS `show lldp neighbors`: `Port  Neighbor Device ID  Neighbor Port ID  TTL`. */
function parseEosLldp(output: string, warn?: WarnLine): { neighbors: LldpNeighbor[] } {
  const neighbors: LldpNeighbor[] = [];
  let inTable = false;
  output
    .replace(/\r/g, '')
    .split('\n')
    .forEach((line, i) => {
      if (/^Port\s+Neighbor Device ID/.test(line)) inTable = true;
      else if (inTable && !/^-+/.test(line) && line.trim() !== '') {
        const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s*$/.exec(line);
        if (m) neighbors.push({ localInterface: m[1]!, remoteSystemName: m[2]!, remotePort: m[3]! });
        else if (!/^\S+[#>]$/.test(line.trim())) warn?.(i + 1, line, 'not an LLDP neighbor row');
      }
    });
  return { neighbors };
}

const bgp = single('bgp_neighbors', 'show ip bgp summary', (out, cmd, warn) => parseEosBgpSummary(out, cmd, warn));
const interfaces = single('interfaces', 'show interfaces', (out, _cmd, warn) => parseCiscoInterfaces(out, warn));
const facts = single('facts', 'show version', versionParser('arista_eos', 'Arista', EOS_VERSION));
const lag = single('lag_members', 'show port-channel summary', (out, _cmd, warn) => parsePortChannelSummary(out, warn));
const lldp = single('lldp_neighbors', 'show lldp neighbors', (out, _cmd, warn) => parseEosLldp(out, warn));

/** Arista EOS: `leaf1>`, `leaf1#`, `leaf1(config-if-Et1)#`. */
export const arista_eos: Platform = {
  name: 'arista_eos',
  vendor: 'Arista',
  promptSuffix: { exec: '>', privileged: '#', config: '\\(config[^)]*\\)#' },
  promptEnd: /[#>]\s*$/,
  onOpen: ['terminal length 0', 'terminal width 32767'],
  pager: /--More--\s*$/,
  enable: { command: 'enable', passwordPrompt: /[Pp]assword:\s*$/ },
  configEnter: 'configure terminal',
  configExit: 'end',
  failurePatterns: CISCO_LIKE_FAILURES,
  getters: {
    facts: facts.recipe,
    bgp_neighbors: bgp.recipe,
    interfaces: interfaces.recipe,
    lldp_neighbors: lldp.recipe,
    lag_members: lag.recipe,
  },
  parsers: {
    'show ip bgp summary': bgp.parser,
    'show ip bgp summary vrf all': bgp.parser,
    'show bgp ipv4 unicast summary': bgp.parser,
    'show interfaces': interfaces.parser,
    'show lldp neighbors': lldp.parser,
    'show version': facts.parser,
    'show port-channel summary': lag.parser,
  },
};
