import type { WarnLine } from '../../parsing/warnings.js';
import type { Platform } from '../platform.js';
import { single } from '../platform.js';
import { parseCiscoBgpSummary } from '../../parsing/cisco-bgp-summary.js';
import { buildVxlanVnis, FDB_COMMAND, parseVxlanLinks, VXLAN_LINKS_COMMAND } from './vxlan.js';

/**
 * A switch whose data plane is the Linux kernel and whose routing is FRR - Cumulus Linux, SONiC's
 * shell, or a Linux box - reached as its operators reach it: an SSH login to bash. Networking is
 * `sudo ip ...` / `sudo bridge ...` at the prompt (there is no config mode: a line takes effect
 * when it runs), FRR through `vtysh -c`. The prompt is the shell's (`leaf1$ `, `root@sw1:~# `).
 * Why a platform and not the `frr` one: the lab's FRR logins land in vtysh, which cannot make a
 * vxlan device or a bridge port; those live in the kernel, beside FRR.
 */
const BGP_COMMAND = "vtysh -c 'show ip bgp summary'";
const bgp = single('bgp_neighbors', BGP_COMMAND, (out: string, cmd: string, warn?: WarnLine) => parseCiscoBgpSummary(out, 'linux_frr', cmd, warn));

export const linux_frr: Platform = {
  name: 'linux_frr',
  vendor: 'Linux',
  promptSuffix: { privileged: '[$#]' },
  promptEnd: /[$#]\s*$/,
  onOpen: [],
  configEnter: '',
  configExit: '',
  failurePatterns: [
    /^(Error: |RTNETLINK answers: |Cannot find device|Device "[^"]*" does not exist|Command line is not complete|Garbage instead of arguments|Object "[^"]*" is unknown)/m,
    /^sudo: /m,
    /^(-?bash: |sh: ).*(command not found|No such file|Permission denied)/m,
    /^% (Unknown command|Command incomplete|Ambiguous command|Invalid|Malformed|Can't|Cannot|No such)/m,
  ],
  getters: {
    bgp_neighbors: bgp.recipe,
    vxlan_vnis: { commands: [VXLAN_LINKS_COMMAND, FDB_COMMAND], build: ([links, fdb]) => buildVxlanVnis(links ?? '', fdb ?? '') },
  },
  parsers: {
    [BGP_COMMAND]: bgp.parser,
    [VXLAN_LINKS_COMMAND]: { getter: 'vxlan_vnis', parse: (out, cmd, warn) => parseVxlanLinks(out, cmd, warn) },
  },
};
