import { recognised, type TagHandler } from './common.js';

/**
 * Lines IOS, IOS-XE, IOS-XR and Arista EOS word the same way (EOS copied IOS's mnemonics), so
 * the handlers live once here and each platform's table points at them. EOS 4.19.6 and later
 * put the interface description in parentheses after the name:
 *   Line protocol on Interface Ethernet28 (uplink to spine1), changed state to up
 */

const LINK_UPDOWN = /^Interface (\S+?)(?: \((.*)\))?, changed state to (up|down|administratively down|deleted)/i;
const LINEPROTO_UPDOWN = /^Line protocol on Interface (\S+?)(?: \((.*)\))?, changed state to (up|down)/i;
const CONFIG_I = /^Configured from (\S+) by (\S+)(?: on (\S+))?(?: \(([^)]*)\))?/;

/** `%LINK-3-UPDOWN` / `%LINK-5-CHANGED` (IOS-XR `%PKT_INFRA-LINK-...`): the physical link (or admin state). */
export const linkUpDown: TagHandler = (text) => {
  const m = LINK_UPDOWN.exec(text);
  if (!m) return null;
  const state = m[3]!.toLowerCase();
  if (state === 'deleted') return null;
  const admin = state === 'administratively down';
  return recognised(state === 'up' ? 'network.interface_up' : 'network.interface_down', {
    interface: m[1],
    description: m[2],
    layer: admin ? 'admin' : 'link',
    reason: admin ? 'administratively down' : null,
  });
};

/** `%LINEPROTO-5-UPDOWN`: line protocol (layer 2 keepalives) on an interface. */
export const lineProtocolUpDown: TagHandler = (text) => {
  const m = LINEPROTO_UPDOWN.exec(text);
  if (!m) return null;
  return recognised(m[3]!.toLowerCase() === 'up' ? 'network.interface_up' : 'network.interface_down', {
    interface: m[1],
    description: m[2],
    layer: 'line_protocol',
  });
};

/** `%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.31.0.24)`: running config changed. */
export const configuredFrom: TagHandler = (text) => {
  const m = CONFIG_I.exec(text);
  if (!m) return null;
  return recognised('network.config_committed', { user: m[2], method: m[1], line: m[3], address: m[4] });
};

/** BGP `Up`/`Down` lines: Up is established; Down leaves established for idle. */
export function upDownStates(word: string): { state: 'established' | 'idle'; previous_state: 'established' | null } {
  return word.toLowerCase() === 'up' ? { state: 'established', previous_state: null } : { state: 'idle', previous_state: 'established' };
}
