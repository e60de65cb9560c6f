import type { Platform } from '../platform.js';
import { single } from '../platform.js';
import { buildOvsLagMembers, parseOvsBondShow, parseOvsInterfaces } from './parsers.js';

const interfaces = single('interfaces', 'show interfaces', (out, _cmd, warn) => {
  const { interfaces: list } = parseOvsInterfaces(out, warn);
  return { interfaces: list };
});

/**
 * An Open vSwitch host reached over SSH whose login shell is netreflex's switch CLI
 * (switch-cli.sh in this folder): `labsw1#`, `labsw1(config)#`, `labsw1(config-if)#`.
 * A layer-2 box: LAGs (OVS bonds) and ports, no routing protocol. `shutdown` on a member is
 * how the LAG workflow takes a flapping link out of its bond.
 */
export const openvswitch: Platform = {
  name: 'openvswitch',
  vendor: 'Open vSwitch',
  layer2: true,
  promptSuffix: { privileged: '#', config: '\\(config[^)]*\\)#' },
  promptEnd: /#\s*$/,
  onOpen: ['terminal length 0'],
  configEnter: 'configure terminal',
  configExit: 'end',
  failurePatterns: [/^% (Unknown command|Invalid input|No such|Error)/m],
  getters: {
    lag_members: { commands: ['show lag', 'show interfaces'], build: ([lag, ifs]) => buildOvsLagMembers(lag ?? '', ifs ?? '') },
    interfaces: interfaces.recipe,
  },
  parsers: {
    'show lag': { getter: 'lag_members', parse: (out, _cmd, warn) => parseOvsBondShow(out, warn) },
    'show interfaces': interfaces.parser,
  },
};
