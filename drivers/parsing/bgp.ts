import type { BgpNeighbor, BgpState } from '../contract/getters.js';

/**
 * Helpers shared by the BGP summary parsers: FSM state words as vendors print them, and AS
 * numbers in asplain or asdot. Kept here so every platform agrees on what `Idle (Admin)` means.
 */

const STATE_WORDS: Array<[RegExp, BgpState]> = [
  [/^idle/i, 'idle'],
  [/^shut/i, 'idle'], // NX-OS `Shut (Admin)`
  [/^connect/i, 'connect'],
  [/^active/i, 'active'],
  [/^opensent/i, 'opensent'],
  [/^openconfirm/i, 'openconfirm'],
  [/^estab/i, 'established'], // `Established`, EOS `Estab`, Junos `Establ`
];

/** `Idle (Admin)`, `Idle(NoIf)`, `Active`, `Establ`... -> FSM state and whether an operator shut it. */
export function bgpStateWord(word: string): { state: BgpState; adminDown: boolean } | null {
  const w = word.trim();
  for (const [re, state] of STATE_WORDS) {
    if (re.test(w)) return { state, adminDown: /\(\s*admin\s*\)/i.test(w) || /^shut/i.test(w) };
  }
  return null;
}

/** `65001` or asdot `65000.1000` (= 65000 * 65536 + 1000). */
export function asNumber(text: string): number | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const n = m[2] === undefined ? Number(m[1]) : Number(m[1]) * 65536 + Number(m[2]);
  return Number.isSafeInteger(n) && n >= 0 && n <= 4294967295 ? n : null;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f]*:[0-9a-f:.]*(?:%\S+)?$/i;

/** A peer column value: an address, or an interface name for BGP unnumbered (FRR `swp1`). */
export function looksLikePeer(text: string): boolean {
  return IPV4.test(text) || (IPV6.test(text) && text.includes(':'));
}

/** State-or-prefix column: a number means Established with that many prefixes received. */
export function stateOrPrefixes(text: string): { state: BgpState; adminDown: boolean; prefixesReceived?: number } | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { state: 'established', adminDown: false, prefixesReceived: Number(t) };
  return bgpStateWord(t);
}

/** Build a neighbor with only the fields that were actually seen. */
export function neighbor(fields: BgpNeighbor): BgpNeighbor {
  const out = { ...fields } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as BgpNeighbor;
}
