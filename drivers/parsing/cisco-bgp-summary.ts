import { NrxError } from '../../src/core/errors.js';
import type { BgpNeighbor, BgpNeighbors } from '../contract/getters.js';
import { asNumber, looksLikePeer, neighbor, stateOrPrefixes } from './bgp.js';
import { ignoreWarnings, type WarnLine } from './warnings.js';

/**
 * The Cisco-style BGP summary table, which FRR, IOS/IOS-XE, NX-OS and IOS-XR all print:
 * `Neighbor V AS MsgRcvd MsgSent TblVer InQ OutQ Up/Down State/PfxRcd [PfxSnt Desc]`,
 * preceded by context lines that name the VRF and address family.
 */

const ROW = /^\s*(\S+)\s+(\d+)\s+(\d+(?:\.\d+)?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/;
/** What follows Up/Down: a prefix count or a state word (maybe with a reason in parentheses). */
const STATE_COLUMN = /^(\d+|\(Policy\)|NoNeg|[A-Za-z]+(?:\s*\([^)]*\))?)(?:\s+(\d+)(?:\s+(.*))?)?$/;
/**
 * Lines around and between the tables that carry nothing for the model (table versions, memory
 * use, footers): known, so they are not reported as unreadable.
 */
const KNOWN_NOISE = new RegExp(
  [
    /^BGP /, // table version, activity, NSR, route distinguisher, table state...
    /^[\d/]+ .*\b(entries|paths|bytes|memory)\b/i, // memory and path counters
    /^(RIB entries|Peers \d+|Total number of neighbors|Displaying \d+|Dampening|Instance|VRF ID|Table ID|Non-stop|Some configured|Process\s+RcvTblVer|Speaker\s+\d)/i,
    /^-+$/, // IOS-XR's rule under a VRF title
    /^% /,
    /^\S+[#>]$/, // the prompt, captured with the output
  ]
    .map((r) => r.source)
    .join('|'),
  'i',
);
const NO_BGP = /(no bgp neighbors found|bgp instance not found|bgp not active|bgp is not running|% bgp|no bgp process|not running bgp)/i;

export function parseCiscoBgpSummary(output: string, platform: string, command: string, warn: WarnLine = ignoreWarnings): BgpNeighbors {
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
    } else if (inTable || sawHeader) {
      let rowText = line;
      const lineNo = i + 1;
      // A long IPv6 peer wraps: the address alone, the columns on the next line.
      if (looksLikePeer(trimmed) && i + 1 < lines.length && /^\s+\d/.test(lines[i + 1]!)) {
        rowText = `${trimmed} ${lines[i + 1]!.trim()}`;
        i++;
      }
      const row = inTable ? ROW.exec(rowText) : null;
      if (!row) {
        if (/^Total number of neighbors/i.test(trimmed)) inTable = false;
        if (!KNOWN_NOISE.test(trimmed)) warn(lineNo, rowText, 'not a BGP neighbor row');
        continue;
      }
      const remoteAs = asNumber(row[3]!);
      const col = STATE_COLUMN.exec(row[10]!);
      const st = col ? (col[1] === '(Policy)' || col[1] === 'NoNeg' ? { state: 'established' as const, adminDown: false } : stateOrPrefixes(col[1]!)) : null;
      if (remoteAs === null || !st) {
        warn(lineNo, rowText, remoteAs === null ? 'unreadable AS number' : 'unreadable state or prefix count');
        continue;
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
