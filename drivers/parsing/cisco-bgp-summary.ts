import { NrxError } from '../../src/core/errors.js';
import type { BgpNeighbor, BgpNeighbors } from '../contract/getters.js';
import { asNumber, looksLikePeer, neighbor } from './bgp.js';
import { readStateColumn } from './bgp-state-column.js';
import { ignoreWarnings, type WarnLine } from './warnings.js';

/**
 * The Cisco-style BGP summary table, which FRR, IOS/IOS-XE, NX-OS and IOS-XR all print:
 * `Neighbor V AS MsgRcvd MsgSent TblVer InQ OutQ Up/Down State/PfxRcd [PfxSnt Desc]`,
 * preceded by context lines that name the VRF and address family.
 */

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
  let counters = 5;

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
      counters = counterColumns(trimmed);
    } else if (inTable || sawHeader) {
      const lineNo = i + 1;
      // A row too short to be whole wraps: a long IPv6 peer alone on its line (IOS, NX-OS), a
      // 4-byte AS pushing the counters to the next (NX-OS), or both. Continuations are indented
      // and start with a digit.
      let tokens = trimmed.split(/\s+/);
      let rowText = trimmed;
      const whole = 3 + counters + 2;
      while (inTable && tokens.length < whole && looksLikePeer(tokens[0]!) && /^\s+\d/.test(lines[i + 1] ?? '')) {
        i++;
        rowText = `${rowText} ${lines[i]!.trim()}`;
        tokens = rowText.split(/\s+/);
      }
      const row = inTable ? readRow(tokens, counters) : null;
      if (!row) {
        if (/^Total number of neighbors/i.test(trimmed)) inTable = false;
        if (!KNOWN_NOISE.test(trimmed)) warn(lineNo, rowText, 'not a BGP neighbor row');
        continue;
      }
      if (typeof row === 'string') {
        warn(lineNo, rowText, row);
        continue;
      }
      const st = row.state;
      const desc = hasDescColumn ? st.rest.slice(1).join(' ') : '';
      neighbors.push(
        neighbor({
          peer: row.peer,
          remoteAs: row.remoteAs,
          state: st.state,
          adminDown: st.adminDown,
          stateReason: st.stateReason,
          prefixesReceived: st.prefixesReceived,
          upDown: row.upDown,
          vrf,
          addressFamily,
          localAs,
          routerId,
          description: desc !== '' && desc !== 'N/A' ? desc : undefined,
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

/** How many counters sit between AS and Up/Down: 5 (MsgRcvd MsgSent TblVer InQ OutQ), fewer on older software. */
function counterColumns(header: string): number {
  const words = header.split(/\s+/);
  const as = words.indexOf('AS');
  const upDown = words.findIndex((w) => /^Up\/Down$/i.test(w));
  return as > 0 && upDown > as ? upDown - as - 1 : 5;
}

interface Row {
  peer: string;
  remoteAs: number;
  upDown: string;
  state: NonNullable<ReturnType<typeof readStateColumn>>;
}

/** `peer V AS counters... Up/Down State/PfxRcd [PfxSnt Desc]`; a string says why it is unreadable. */
function readRow(tokens: string[], counters: number): Row | string | null {
  const [peer, version, as] = tokens;
  if (peer === undefined || !/^\d+$/.test(version ?? '') || as === undefined || !/^[\d.]+$/.test(as)) return null;
  let k = 3;
  while (k < tokens.length && /^\d+$/.test(tokens[k]!)) k++;
  if (k - 3 !== counters || k + 1 >= tokens.length) return null;
  const remoteAs = asNumber(as);
  if (remoteAs === null) return 'unreadable AS number';
  const state = readStateColumn(tokens.slice(k + 1));
  if (!state) return 'unreadable state or prefix count';
  return { peer, remoteAs, upDown: tokens[k]!, state };
}
