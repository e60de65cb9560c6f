import type { SyslogMessage } from '../message.js';
import { recognised, type PlatformNormaliser, type Recognised } from './common.js';
import { frr } from './frr.js';

/**
 * SONiC: routing is FRR (bgpd, ospfd... as in frr.ts); ports are the switch state service's
 * orchagent, which says when it sets a host interface's oper status:
 *   orchagent: :- setHostIntfsOperStatus: Set operation status DOWN to host interface Ethernet28
 */
const OPER_STATUS = /setHostIntfsOperStatus: Set operation status (UP|DOWN) to host interface (\S+)/;

/** SONiC's own daemons (swss, syncd): a line from one of them is SONiC's, not plain FRR's. */
export const SONIC_DAEMONS: ReadonlySet<string> = new Set([
  'orchagent',
  'portsyncd',
  'portmgrd',
  'intfmgrd',
  'teamsyncd',
  'teammgrd',
  'syncd',
  'vlanmgrd',
  'nbrmgrd',
]);

export const sonic: PlatformNormaliser = {
  platform: 'sonic',
  normalise(msg: SyslogMessage): Recognised | null {
    if (msg.appName === 'orchagent') {
      const m = OPER_STATUS.exec(msg.message);
      return m ? recognised(m[1] === 'UP' ? 'network.interface_up' : 'network.interface_down', { interface: m[2], layer: 'oper_status' }) : null;
    }
    return frr.normalise(msg);
  },
};
