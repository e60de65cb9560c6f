import type { LagMember, LagMembers } from '../../contract/getters.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * IOS-XR `show bundle`: a block per `Bundle-Ether1` with `key: value` settings (`LACP:
 * Operational` or `Not configured`), then a member table `Port  Device  State  Port ID  B/W`,
 * each row followed by an indented `Link is Active` line. A member is up when Active. Rows
 * whose Device is not `Local` are the mLACP peer chassis' links, not this router's members.
 * Cisco's documentation prints the same output without indentation; both are read.
 */
const BUNDLE = /^(Bundle-(?:Ether|POS)\d+|BE\d+)$/;
const ROW = /^(\S+)\s+(\S+)\s+(Active|Standby|Configured|Negotiating|Not operational|\S+)\s+(0x[0-9a-f]+,\s*0x[0-9a-f]+|-)\s+(\d+)$/i;

export function parseIosxrBundles(output: string, warn: WarnLine = ignoreWarnings): LagMembers {
  const members: LagMember[] = [];
  let bundle: string | undefined;
  let protocol: string | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (t === '') continue;
    const head = BUNDLE.exec(t);
    if (head) {
      bundle = head[1]!;
      protocol = undefined;
      continue;
    }
    // before the first bundle: the echoed command and the timestamp IOS-XR prints first
    if (!bundle) continue;
    let m: RegExpExecArray | null;
    if ((m = /^LACP:\s*(.*)$/.exec(t))) {
      protocol = /not configured/i.test(m[1]!) ? undefined : 'LACP';
    } else if ((m = ROW.exec(t))) {
      if (!/^local$/i.test(m[2]!)) continue;
      const one: LagMember = { lag: bundle, member: m[1]!, up: /^active$/i.test(m[3]!), status: m[3]! };
      if (protocol) one.protocol = protocol;
      members.push(one);
    } else if (!/(^[A-Za-z][^:]*:(\s|$)|^Link is |^Port\s+Device|^[-\s]+$)/.test(t) && !/^\S+[#>]$/.test(t)) {
      warn(i + 1, t, 'not a bundle line');
    }
  }
  return { members };
}
