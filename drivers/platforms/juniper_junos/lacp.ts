import type { LagMember, LagMembers } from '../../contract/getters.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * Junos `show lacp interfaces`: per `Aggregated interface: ae33`, an Actor/Partner table and
 * a protocol table with one row per member port: `xe-0/0/0:0  Current  Slow periodic
 * Collecting distributing`. A member is up when its mux state collects and distributes.
 */
const AGG = /^Aggregated interface: (\S+)$/;
const PROTOCOL_ROW = /^(\S+)\s+(.+?)\s+((?:Fast|Slow|No) periodic|Periodic timer)\s+(.+)$/;
const KNOWN = /^(LACP state:|LACP protocol:|\S+\s+(Actor|Partner)\s|\{\S+\}$|\S+[>#]$)/;

export function parseJunosLacp(output: string, warn: WarnLine = ignoreWarnings): LagMembers {
  const members: LagMember[] = [];
  let lag: string | undefined;
  let inProtocol = false;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    const agg = AGG.exec(t);
    if (agg) {
      lag = agg[1]!;
      inProtocol = false;
      continue;
    }
    if (/^LACP protocol:/.test(t)) {
      inProtocol = true;
      continue;
    }
    if (/^LACP state:/.test(t)) inProtocol = false;
    const row = lag && inProtocol ? PROTOCOL_ROW.exec(t) : null;
    if (row) {
      const mux = row[4]!.trim();
      members.push({ lag: lag!, member: row[1]!, up: /^collecting distributing$/i.test(mux), status: mux, protocol: 'LACP' });
    } else if (!KNOWN.test(t)) {
      warn(i + 1, t, 'not a LACP interface line');
    }
  }
  return { members };
}
