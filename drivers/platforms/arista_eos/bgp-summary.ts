import { NrxError } from '../../../src/core/errors.js';
import type { BgpNeighbor, BgpNeighbors } from '../../contract/getters.js';
import { asNumber, looksLikePeer, neighbor } from '../../parsing/bgp.js';
import { readStateColumn } from '../../parsing/bgp-state-column.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * EOS `show ip bgp summary`: `[Description] Neighbor V AS MsgRcvd MsgSent InQ OutQ Up/Down
 * State PfxRcd PfxAcc`. The description column (newer EOS) may hold spaces, so a row is found
 * by its peer address followed by the BGP version, not by column positions. Older EOS prints
 * one `State/PfxRcd` column instead of `State PfxRcd PfxAcc`.
 */
export function parseEosBgpSummary(output: string, command = 'show ip bgp summary', warn: WarnLine = ignoreWarnings): BgpNeighbors {
  const neighbors: BgpNeighbor[] = [];
  let vrf = 'default';
  let localAs: number | undefined;
  let routerId: string | undefined;
  let sawHeader = false;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let t = lines[i]!.trim();
    let m: RegExpExecArray | null;
    if ((m = /^BGP summary information for VRF (\S+)/.exec(t))) {
      vrf = m[1]!;
    } else if ((m = /router identifier ([0-9a-f.:]+), local AS number (\d+(?:\.\d+)?)/i.exec(t))) {
      routerId = m[1]!;
      localAs = asNumber(m[2]!) ?? undefined;
    } else if (/\bNeighbor\s+V\s+AS\b/.test(t)) {
      sawHeader = true;
    } else if (sawHeader && t !== '') {
      // a long IPv6 peer alone on its line, the row's columns on the next
      if (looksLikePeer(t) && /^\s*4\s/.test(lines[i + 1] ?? '')) t = `${t} ${lines[++i]!.trim()}`;
      const tokens = t.split(/\s+/);
      const at = tokens.findIndex((tok, k) => looksLikePeer(tok) && tokens[k + 1] === '4' && asNumber(tokens[k + 2] ?? '') !== null);
      if (at < 0) {
        if (!/^(BGP |Router identifier|Neighbor Status Codes|\S+[#>]$)/i.test(t)) warn(lineNo, t, 'not a BGP neighbor row');
        continue;
      }
      // Neighbor V AS MsgRcvd MsgSent InQ OutQ Up/Down, then `State PfxRcd PfxAcc` or, on older
      // EOS, one `State/PfxRcd` column holding a state word or the prefix count
      const [peer, , as, , , , , upDown] = tokens.slice(at);
      const st = readStateColumn(tokens.slice(at + 8));
      if (!st || !upDown) {
        warn(lineNo, t, 'unreadable state or Up/Down');
        continue;
      }
      const pfxRcd = st.prefixesReceived ?? (/^\d+$/.test(st.rest[0] ?? '') ? Number(st.rest[0]) : undefined);
      const description = at > 0 ? tokens.slice(0, at).join(' ') : undefined;
      neighbors.push(
        neighbor({
          peer: peer!,
          remoteAs: asNumber(as!)!,
          state: st.state,
          adminDown: st.adminDown,
          stateReason: st.stateReason,
          prefixesReceived: pfxRcd,
          upDown,
          vrf,
          localAs,
          routerId,
          description,
        }),
      );
    }
  }
  if (!sawHeader && output.trim() !== '' && !/BGP (is )?(not|inactive)|No BGP/i.test(output)) {
    throw new NrxError('NRX_ERR_PARSE', `arista_eos '${command}': no BGP neighbor table in the output`);
  }
  return { neighbors };
}
