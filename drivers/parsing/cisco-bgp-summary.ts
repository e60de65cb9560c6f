import { NrxError } from '../../src/core/errors.js';
import type { BgpNeighbor, BgpNeighbors } from '../contract/getters.js';
import { asNumber, looksLikePeer, neighbor, stateOrPrefixes } from './bgp.js';

/**
 * The Cisco-style BGP summary table, which FRR, IOS/IOS-XE, NX-OS and IOS-XR all print:
 * `Neighbor V AS MsgRcvd MsgSent TblVer InQ OutQ Up/Down State/PfxRcd [PfxSnt Desc]`,
 * preceded by context lines that name the VRF and address family.
 */

const ROW = /^\s*(\S+)\s+(\d+)\s+(\d+(?:\.\d+)?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/;
/** What follows Up/Down: a prefix count or a state word (maybe with a reason in parentheses). */
const STATE_COLUMN = /^(\d+|\(Policy\)|NoNeg|[A-Za-z]+(?:\s*\([^)]*\))?)(?:\s+(\d+)(?:\s+(.*))?)?$/;
const NO_BGP = /(no bgp neighbors found|bgp instance not found|bgp not active|bgp is not running|% bgp|no bgp process|not running bgp)/i;

export function parseCiscoBgpSummary(output: string, platform: string, command: string): BgpNeighbors {
  const lines = output.replace(/\r/g, '').split('\n');
  const neighbors: BgpNeighbor[] = [];
  let vrf = 'default';
  let addressFamily: string | undefined;
  let localAs: number | undefined;
  let routerId: string | undefined;
  let inTable = false;
  let hasDescColumn = false;
  let sawHeader = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    let m: RegExpExecArray | null;
    if (trimmed === '') {
      continue;
    } else if ((m = /^For address family:\s*(.+)$/i.exec(trimmed))) {
      addressFamily = m[1]!.trim();
      inTable = false;
    } else if ((m = /^(\S+ \S+) Summary(?: \(VRF (\S+)\))?:$/.exec(trimmed))) {
      addressFamily = m[1]!;
      vrf = m[2] ?? 'default';
      inTable = false;
    } else if ((m = /^BGP summary information for VRF ([^,]+),\s*address family (.+)$/i.exec(trimmed))) {
      vrf = m[1]!.trim();
      addressFamily = m[2]!.trim();
      inTable = false;
    } else if ((m = /^VRF:\s*(\S+)$/.exec(trimmed))) {
      vrf = m[1]!;
      inTable = false;
    } else if ((m = /^Address Family:\s*(.+)$/.exec(trimmed))) {
      addressFamily = m[1]!.trim();
      inTable = false;
    } else if ((m = /BGP router identifier ([0-9a-f.:]+), local AS number (\d+(?:\.\d+)?)/i.exec(trimmed))) {
      routerId = m[1]!;
      localAs = asNumber(m[2]!) ?? undefined;
      inTable = false;
    } else if (/^Neighbor\s+(V|Spk)\s+AS\b/.test(trimmed)) {
      inTable = true;
      sawHeader = true;
      hasDescColumn = /\bDesc\b/.test(trimmed);
    } else if (inTable) {
      let rowText = line;
      // A long IPv6 peer wraps: the address alone, the columns on the next line.
      if (looksLikePeer(trimmed) && i + 1 < lines.length && /^\s+\d/.test(lines[i + 1]!)) {
        rowText = `${trimmed} ${lines[i + 1]!.trim()}`;
        i++;
      }
      const row = ROW.exec(rowText);
      if (!row) {
        if (/^Total number of neighbors/i.test(trimmed)) inTable = false;
        continue; // footers, notes between tables
      }
      const remoteAs = asNumber(row[3]!);
      const col = STATE_COLUMN.exec(row[10]!);
      const st = col ? (col[1] === '(Policy)' || col[1] === 'NoNeg' ? { state: 'established' as const, adminDown: false } : stateOrPrefixes(col[1]!)) : null;
      if (remoteAs === null || !st) {
        throw new NrxError(
          'NRX_ERR_PARSE',
          `${platform} '${command}': line ${i + 1}: cannot read a BGP neighbor from ${JSON.stringify(trimmed.slice(0, 120))}`,
        );
      }
      const desc = hasDescColumn && col?.[3] && col[3] !== 'N/A' ? col[3] : undefined;
      neighbors.push(
        neighbor({
          peer: row[1]!,
          remoteAs,
          state: st.state,
          adminDown: st.adminDown,
          prefixesReceived: 'prefixesReceived' in st ? st.prefixesReceived : undefined,
          upDown: row[9]!,
          vrf,
          addressFamily,
          localAs,
          routerId,
          description: desc,
        }),
      );
    }
  }
  if (!sawHeader && output.trim() !== '' && !NO_BGP.test(output)) {
    throw new NrxError(
      'NRX_ERR_PARSE',
      `${platform} '${command}': no BGP neighbor table in the output (first line: ${JSON.stringify(output.trim().split('\n')[0]!.slice(0, 120))})`,
    );
  }
  return { neighbors };
}
