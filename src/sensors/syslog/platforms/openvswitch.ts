import type { SyslogMessage } from '../message.js';
import { lagMember, recognised, type PlatformNormaliser, type Recognised } from './common.js';

/**
 * Open vSwitch bonds (ovs-vswitchd's `bond` module), as recorded in the lab (OVS 3.1):
 *   RFC 5424, MSGID bond:   member lagx2-b: disabled        (BOM before the text)
 *   local syslog format:    ovs|00012|bond|INFO|member lagx1-a: link state down
 * `enabled`/`disabled` is the member joining/leaving the bond (lag_member_up/down); `link state`
 * is the member's carrier (interface_up/down). The lines do not name the bond: `lag` is ''.
 * Older releases say `slave` for `member`.
 */
const MEMBER = /^(?:member|slave) ([^\s:]+): (enabled|disabled|link state up|link state down)$/;
const PREFIX = /^(?:ovs\|\d+\|)?bond\|[A-Z]+\|/;

export const openvswitch: PlatformNormaliser = {
  platform: 'openvswitch',
  normalise(msg: SyslogMessage): Recognised | null {
    let text = msg.message;
    if (msg.msgId !== null && msg.msgId !== 'bond') return null;
    const prefix = PREFIX.exec(text);
    if (prefix) text = text.slice(prefix[0].length);
    else if (msg.msgId !== 'bond') return null;
    const m = MEMBER.exec(text);
    if (!m) return null;
    switch (m[2]) {
      case 'enabled':
        return lagMember(true, null, m[1]!);
      case 'disabled':
        return lagMember(false, null, m[1]!);
      case 'link state up':
        return recognised('network.interface_up', { interface: m[1], layer: 'link' });
      default:
        return recognised('network.interface_down', { interface: m[1], layer: 'link' });
    }
  },
};
