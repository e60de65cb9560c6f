import { NrxError } from '../../../src/core/errors.js';
import type { BgpNeighbor, BgpNeighbors } from '../../contract/getters.js';
import { asNumber, bgpStateWord, looksLikePeer } from '../../parsing/bgp.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * Junos `show bgp summary`. Each peer row ends either in a state word (`Active`, `Connect`,
 * `Establ`) followed by one `table: active/received/accepted/damped` line per RIB, or, for an
 * established peer with few tables, those counts inline. `Last Up/Dwn` may hold a space
 * (`29w5d 22:42:36`), so the row is read from both ends.
 */
const ROW = /^(\S+)\s+(\d+(?:\.\d+)?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$/;
const COUNTS = /\d+\/\d+\/\d+\/\d+/g;

export function parseJunosBgpSummary(output: string, command = 'show bgp summary', warn: WarnLine = ignoreWarnings): BgpNeighbors {
  const neighbors: BgpNeighbor[] = [];
  let sawHeader = false;
  let last: BgpNeighbor | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  lines.forEach((line, i) => {
    const t = line.trim();
    if (/^Peer\s+AS\s+InPkt/.test(t)) {
      sawHeader = true;
      return;
    }
    if (!sawHeader || t === '') return;
    const rib = /^(\S+):\s+(\d+)\/(\d+)\/(\d+)\/(\d+)$/.exec(t);
    if (rib) {
      if (last) last.prefixesReceived = (last.prefixesReceived ?? 0) + Number(rib[3]);
      return;
    }
    const row = ROW.exec(t);
    if (!row || !looksLikePeer(row[1]!.replace(/\+\d+$/, ''))) {
      if (!/^(\{master|\S+[>#]$)/.test(t)) warn(i + 1, t, 'not a BGP peer row');
      return;
    }
    const rest = row[7]!.trim();
    const counts = rest.match(COUNTS);
    let stateWord: string;
    let upDown: string;
    let prefixesReceived: number | undefined;
    if (counts) {
      stateWord = 'Establ';
      upDown = rest.slice(0, rest.indexOf(counts[0]!)).trim();
      prefixesReceived = counts.reduce((sum, c) => sum + Number(c.split('/')[1]), 0);
    } else {
      const sp = rest.lastIndexOf(' ');
      stateWord = rest.slice(sp + 1);
      upDown = rest.slice(0, Math.max(sp, 0)).trim();
    }
    const st = bgpStateWord(stateWord);
    const remoteAs = asNumber(row[2]!);
    if (!st || remoteAs === null) {
      warn(i + 1, t, remoteAs === null ? 'unreadable AS number' : 'unreadable state');
      return;
    }
    last = { peer: row[1]!.replace(/\+\d+$/, ''), remoteAs, state: st.state, adminDown: st.adminDown, upDown, vrf: 'default' };
    if (prefixesReceived !== undefined) last.prefixesReceived = prefixesReceived;
    neighbors.push(last);
  });
  if (!sawHeader && output.trim() !== '' && !/BGP is not running|not running/i.test(output)) {
    throw new NrxError('NRX_ERR_PARSE', `juniper_junos '${command}': no BGP peer table in the output`);
  }
  return { neighbors };
}
