import type { BgpState } from '../contract/getters.js';
import { bgpStateWord } from './bgp.js';

/**
 * The State/PfxRcd column of a BGP summary, as the devices fill it: a prefix count (the session
 * is Established), a state word, either with a note in parentheses (`Idle (Admin)`, `Idle
 * (PfxCt)` when maximum-prefix tripped, `Idle(NoIf)`, `4 (SE)`), or a note alone (`(NoNeg)`:
 * the session is up but the address family was not negotiated; FRR's `(Policy)`: no policy
 * on an eBGP session). FRR may print `NoNeg` bare. What follows (PfxSnt, Desc) is returned.
 */
export interface StateColumn {
  state: BgpState;
  adminDown: boolean;
  prefixesReceived?: number;
  /** The note in parentheses without them (`Admin`, `PfxCt`, `NoNeg`, `SE`). */
  stateReason?: string;
  /** Tokens after the state column. */
  rest: string[];
}

/** Notes that mean the session itself is up (only the family or policy is missing). */
const UP_NOTES = /^(NoNeg|Policy)$/i;

export function readStateColumn(tokens: string[]): StateColumn | null {
  const t = [...tokens];
  const first = t.shift();
  if (first === undefined) return null;
  let word: string | undefined = first;
  let note: string | undefined;
  // a note glued to the word (`Idle(NoIf)`) or standing alone (`(NoNeg)`)
  const glued = /^([A-Za-z]*)\((.*)$/.exec(first);
  if (glued) {
    word = glued[1] || undefined;
    const parts = [glued[2]!];
    while (!parts[parts.length - 1]!.endsWith(')') && t.length > 0) parts.push(t.shift()!);
    if (!parts[parts.length - 1]!.endsWith(')')) return null;
    note = parts.join(' ').slice(0, -1).trim();
  } else if (t[0]?.startsWith('(')) {
    const parts = [t.shift()!.slice(1)];
    while (!parts[parts.length - 1]!.endsWith(')') && t.length > 0) parts.push(t.shift()!);
    if (!parts[parts.length - 1]!.endsWith(')')) return null;
    note = parts.join(' ').slice(0, -1).trim();
  }
  const out = (s: Omit<StateColumn, 'rest'>): StateColumn => {
    const r: StateColumn = { ...s, rest: t };
    if (note) r.stateReason = note;
    return r;
  };
  if (word === undefined) {
    return note && UP_NOTES.test(note) ? out({ state: 'established', adminDown: false }) : null;
  }
  if (/^\d+$/.test(word)) return out({ state: 'established', adminDown: false, prefixesReceived: Number(word) });
  if (UP_NOTES.test(word)) {
    note ??= word;
    return out({ state: 'established', adminDown: false });
  }
  const st = bgpStateWord(word);
  if (!st) return null;
  return out({ state: st.state, adminDown: st.adminDown || /^admin$/i.test(note ?? '') });
}
