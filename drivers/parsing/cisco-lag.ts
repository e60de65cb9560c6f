import type { LagMember, LagMembers } from '../contract/getters.js';
import { ignoreWarnings, type WarnLine } from './warnings.js';

/**
 * IOS `show etherchannel summary` and NX-OS `show port-channel summary`: one row per group
 * (`10  Po10(RU)  LACP  Te0/0/2(bndl) Te0/0/3(P)`; NX-OS adds a Type column), member ports
 * wrapping onto indented lines. A member is up when bundled: flag `P` or `bndl`.
 */
const GROUP = /^(\d+)\s+(\S+?)\((\w+)\)\s+(.*)$/;
const MEMBER = /(\S+?)\((\w+)\)/g;

/** Lines after the table that are not rows but known: legend (`P - Up in port-channel`), rules, the prompt. */
const KNOWN_NOISE = /^([\w/]+\s+-\s|-+$|\S+[#>]$)/;

export function parseCiscoLagSummary(output: string, warn: WarnLine = ignoreWarnings): LagMembers {
  const members: LagMember[] = [];
  let lag: string | undefined;
  let protocol: string | undefined;
  let sawRow = false;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    const g = GROUP.exec(t);
    let memberText: string;
    if (g) {
      sawRow = true;
      lag = g[2]!;
      const cols = g[4]!.trim().split(/\s+/);
      // Protocol is the first column that is not a member token (NX-OS puts Type before it).
      const proto = cols.filter((c) => !/\(\w+\)$/.test(c));
      protocol = proto.find((c) => /^(LACP|PAgP|NONE|-)$/i.test(c)) ?? proto[proto.length - 1];
      memberText = cols.filter((c) => /\(\w+\)$/.test(c)).join(' ');
    } else if (lag && /^\s+\S+\(\w+\)/.test(line) && /^(\S+\(\w+\)\s*)+$/.test(t)) {
      memberText = t;
    } else {
      if (t !== '' && !/^\s/.test(line)) lag = undefined;
      // before the first group row is the legend and header; after it, only known lines belong
      if (sawRow && t !== '' && !KNOWN_NOISE.test(t)) warn(i + 1, t, 'not a port-channel row');
      continue;
    }
    for (const m of memberText.matchAll(MEMBER)) {
      const status = m[2]!;
      const one: LagMember = { lag: lag!, member: m[1]!, up: status === 'P' || status === 'bndl', status };
      if (protocol && protocol !== '-') one.protocol = protocol;
      members.push(one);
    }
  }
  return { members };
}
