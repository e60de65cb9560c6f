import type { LagMember, LagMembers } from '../../contract/getters.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * EOS `show port-channel summary`: `Po116(D)  LACP(aF*)  Et16(D) Et17(D)`, long member lists
 * wrapping onto indented lines. A member is up when its flags hold `P` (bundled in Po); the
 * protocol is the word before the flags (`LACP`, `Static`).
 */
const GROUP = /^(Po\d+)\((\w+)\)\s+([A-Za-z-]+)(?:\([^)]*\))?\s*(.*)$/;
const MEMBER = /^(\S+?)\(([^)]*)\)$/;
/** Above the table: the legend (`a - LACP Active`), counters and the header. */
const PREAMBLE = /^(Flags\b|\S\s+-\s|Number of |Port-Channel\s+Protocol)/;
/** Anywhere: rules and the prompt. */
const KNOWN = /^([-\s]+$|\S+[#>]$)/;

export function parsePortChannelSummary(output: string, warn: WarnLine = ignoreWarnings): LagMembers {
  const members: LagMember[] = [];
  let lag: string | undefined;
  let protocol: string | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    const g = GROUP.exec(t);
    let memberText: string;
    if (g) {
      lag = g[1]!;
      protocol = g[3] === '-' ? undefined : g[3];
      memberText = g[4]!;
    } else if (lag && t.split(/\s+/).every((w) => MEMBER.test(w))) {
      memberText = t;
    } else {
      if (!KNOWN.test(t) && !(lag === undefined && PREAMBLE.test(t))) warn(i + 1, t, 'not a port-channel row');
      continue;
    }
    for (const w of memberText.split(/\s+/).filter((x) => x !== '')) {
      const m = MEMBER.exec(w);
      if (!m) {
        warn(i + 1, t, `unreadable member '${w}'`);
        continue;
      }
      const one: LagMember = { lag: lag!, member: m[1]!, up: m[2]!.includes('P'), status: m[2]! };
      if (protocol) one.protocol = protocol;
      members.push(one);
    }
  }
  return { members };
}
