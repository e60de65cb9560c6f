import type { LldpNeighbor } from '../../contract/getters.js';
import type { WarnLine } from '../../parsing/warnings.js';
import type { Platform } from '../platform.js';
import { single } from '../platform.js';
import { JUNOS_VERSION, versionParser } from '../../parsing/show-version.js';
import { parseJunosBgpSummary } from './bgp-summary.js';
import { parseJunosInterfaces } from './interfaces.js';
import { parseJunosLacp } from './lacp.js';

/** Junos `show lldp neighbors`: `Local Interface  Parent Interface  Chassis Id  Port info  System Name`. */
function parseJunosLldp(output: string, warn?: WarnLine): { neighbors: LldpNeighbor[] } {
  const neighbors: LldpNeighbor[] = [];
  let inTable = false;
  output
    .replace(/\r/g, '')
    .split('\n')
    .forEach((line, i) => {
      if (/^Local Interface\s+Parent Interface/.test(line)) inTable = true;
      else if (inTable && line.trim() !== '') {
        // the local port is a Junos interface name (`xe-0/1/1`, `ge-0/0/0`, `et-0/0/1`, `fxp0`)
        const m = /^([a-z]+(?:-\d+(?:\/\d+)*|\d+)(?::\d+)?(?:\.\d+)?)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
        if (m) neighbors.push({ localInterface: m[1]!, remoteSystemName: m[5]!, remotePort: m[4]! });
        else if (!/^(\{master|\S+[>#]$)/.test(line.trim())) warn?.(i + 1, line, 'not an LLDP neighbor row');
      }
    });
  return { neighbors };
}

const bgp = single('bgp_neighbors', 'show bgp summary', (out, cmd, warn) => parseJunosBgpSummary(out, cmd, warn));
const facts = single('facts', 'show version', versionParser('juniper_junos', 'Juniper', JUNOS_VERSION));
const interfaces = single('interfaces', 'show interfaces', (out, _cmd, warn) => parseJunosInterfaces(out, warn));
const lag = single('lag_members', 'show lacp interfaces', (out, _cmd, warn) => parseJunosLacp(out, warn));
const lldp = single('lldp_neighbors', 'show lldp neighbors', (out, _cmd, warn) => parseJunosLldp(out, warn));

/** Junos: `admin@vmx1>` operational, `admin@vmx1#` under an `[edit]` line in configuration mode. */
export const juniper_junos: Platform = {
  name: 'juniper_junos',
  vendor: 'Juniper',
  promptSuffix: { privileged: '>', config: '#' },
  promptEnd: /[>#]\s*$/,
  promptPrefixLine: /^\[edit[^\]]*\]$/,
  onOpen: ['set cli screen-length 0', 'set cli screen-width 0', 'set cli complete-on-space off'],
  pager: /---\(more[^)]*\)---\s*$/,
  configEnter: 'configure',
  configExit: 'exit configuration-mode',
  failurePatterns: [/^\s*(syntax error|unknown command|error:|invalid (value|command|interface))/im, /^\s*\^$/m],
  getters: {
    facts: facts.recipe,
    interfaces: interfaces.recipe,
    bgp_neighbors: bgp.recipe,
    lldp_neighbors: lldp.recipe,
    lag_members: lag.recipe,
  },
  parsers: {
    'show bgp summary': bgp.parser,
    'show lldp neighbors': lldp.parser,
    'show version': facts.parser,
    'show interfaces': interfaces.parser,
    'show lacp interfaces': lag.parser,
  },
  candidate: {
    compare: 'show | compare',
    commit: (comment) => (comment ? `commit comment "${comment.replace(/"/g, "'")}"` : 'commit'),
    discard: 'rollback 0',
    rollback: (steps) => [`rollback ${steps}`, 'commit'],
    replace: { start: 'load override terminal', ready: /\[Type \^D at a new line to end input\]/, end: '\u0004' },
  },
};
