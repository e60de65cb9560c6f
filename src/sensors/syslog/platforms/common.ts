import { BGP_STATES, BFD_STATES } from '../../../events/builtin-triggers.js';
import type { SyslogMessage } from '../message.js';

/**
 * What a platform normaliser makes of one message: a trigger type and its specific fields.
 * Fields may hold null, undefined or '' for what the line did not say: normaliseSyslog leaves
 * those out of the payload as it copies (one copy per message, not two).
 */
export interface Recognised {
  type: string;
  fields: Record<string, unknown>;
}

export interface PlatformNormaliser {
  /** Driver platform name as in the inventory (frr, cisco_ios, ...). */
  platform: string;
  normalise(msg: SyslogMessage): Recognised | null;
}

/**
 * The message's tag, the word that says what happened: Cisco/Arista `%BGP-5-ADJCHANGE:`,
 * IOS-XR `%ROUTING-BGP-5-ADJCHANGE :`, FRR `[N9HHH-F8H1M] %ADJCHANGE:` or `AdjChg:`, Junos
 * `RPD_BGP_NEIGHBOR_STATE_CHANGED:`. `key` drops the severity digit (`BGP-ADJCHANGE`), which
 * is what normaliser tables are keyed on; `text` is what follows the colon.
 */
export interface MessageTag {
  key: string;
  /** Whether it was a `%` mnemonic (Cisco family, FRR). */
  percent: boolean;
  /** Whether the `%` mnemonic carried a severity digit (Cisco family) or not (FRR). */
  hasSeverity: boolean;
  /** Dash-separated parts before the severity: 1 for IOS `BGP-5-X`, 2 for IOS-XR `ROUTING-BGP-5-X`. */
  facilityParts: number;
  text: string;
}

// Sniffing and the normaliser both ask for the tag of the same message: remember the last one.
let lastMessage: string | null = null;
let lastTag: MessageTag | null = null;

export function tagOf(message: string): MessageTag | null {
  if (message === lastMessage) return lastTag;
  lastMessage = message;
  lastTag = readTag(message);
  return lastTag;
}

function readTag(message: string): MessageTag | null {
  let i = 0;
  if (message.charCodeAt(0) === 91 /* [ */) {
    // FRR 8 prefixes every line with its unique log id: "[N9HHH-F8H1M] "
    const close = message.indexOf('] ', 1);
    if (close > 0 && close < 16) i = close + 2;
  }
  if (message.charCodeAt(i) === 37 /* % */) {
    const colon = message.indexOf(':', i);
    if (colon < 0 || colon - i > 80) return null;
    let end = colon;
    while (message.charCodeAt(end - 1) === 32) end--;
    const tag = message.slice(i + 1, end);
    const sev = severityDigitAt(tag);
    const key = sev < 0 ? tag : tag.slice(0, sev) + tag.slice(sev + 2);
    const facilityParts = sev < 0 ? 0 : tag.slice(0, sev).split('-').length - 1;
    return { key, percent: true, hasSeverity: sev >= 0, facilityParts, text: message.slice(colon + 1).trimStart() };
  }
  let j = i;
  while (j - i < 64) {
    const c = message.charCodeAt(j);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45)) break;
    j++;
  }
  if (j - i < 3 || message.charCodeAt(j) !== 58 || message.charCodeAt(j + 1) !== 32) return null;
  return { key: message.slice(i, j), percent: false, hasSeverity: false, facilityParts: 0, text: message.slice(j + 2) };
}

/** Index of the '-' before a lone severity digit in `BGP-5-ADJCHANGE`, or -1. */
function severityDigitAt(tag: string): number {
  for (let k = 0; k + 2 < tag.length; k++) {
    if (tag.charCodeAt(k) === 45 && tag.charCodeAt(k + 1) >= 48 && tag.charCodeAt(k + 1) <= 55 && tag.charCodeAt(k + 2) === 45) return k;
  }
  return -1;
}

export type BgpState = (typeof BGP_STATES)[number];
export type BfdState = (typeof BFD_STATES)[number];

/** `Established`, `ESTABLISHED`, `Open Sent`, `OpenConfirm` -> the lower-case FSM name. */
export function bgpState(s: string | undefined): BgpState | null {
  if (!s) return null;
  const k = s.toLowerCase().replace(/[\s_-]/g, '');
  return (BGP_STATES as readonly string[]).includes(k) ? (k as BgpState) : null;
}

export function bfdState(s: string | undefined): BfdState | null {
  if (!s) return null;
  const k = s.toLowerCase().replace(/[\s-]/g, '_');
  if (k === 'admindown') return 'admin_down';
  return (BFD_STATES as readonly string[]).includes(k) ? (k as BfdState) : null;
}

/** A BGP session change. Down without a known new state means back to idle. */
export function bgpChange(
  fields: {
    peer: string;
    state: BgpState;
    previous_state?: BgpState | null;
    peer_as?: string | number | null;
    vrf?: string | null;
    reason?: string | null;
  } & Record<string, unknown>,
): Recognised {
  return { type: 'network.bgp_peer_state_changed', fields };
}

/** `65001` -> 65001; asdot `1.10` stays a string. */
export function asNumber(s: string | undefined): number | string | null {
  if (!s) return null;
  return /^\d+$/.test(s) ? Number(s) : s;
}

/** Routing-instance names for the default table differ per vendor; rules see `default`. */
export function vrfName(s: string | undefined | null): string | null {
  if (!s) return null;
  return s === 'master' || s === 'Default' || s === 'default-vrf' ? 'default' : s;
}

export function recognised(type: string, fields: Record<string, unknown>): Recognised {
  return { type, fields };
}

/** LAG events need `lag`; when the line does not name it, it is the empty string (documented). */
export function lagMember(up: boolean, lag: string | null | undefined, member: string, reason?: string | null): Recognised {
  return { type: up ? 'network.lag_member_up' : 'network.lag_member_down', fields: { lag: lag || null, member, reason } };
}

export type TagHandler = (text: string, msg: SyslogMessage, tag: MessageTag) => Recognised | null;

/** The usual normaliser: a table from tag key to handler, plus optional prefix handlers. */
export function tableNormaliser(platform: string, table: Record<string, TagHandler>, prefixes: Array<[string, TagHandler]> = []): PlatformNormaliser {
  const map = new Map(Object.entries(table));
  return {
    platform,
    normalise(msg) {
      const tag = tagOf(msg.message);
      if (!tag) return null;
      const exact = map.get(tag.key);
      if (exact) return exact(tag.text, msg, tag);
      for (const [prefix, handler] of prefixes) if (tag.key.startsWith(prefix)) return handler(tag.text, msg, tag);
      return null;
    },
  };
}
