import type { LldpNeighbor, LldpNeighbors } from '../contract/getters.js';
import { ignoreWarnings, type WarnLine } from './warnings.js';

/**
 * The Cisco-style `show lldp neighbors` table (IOS, NX-OS): `Device ID  Local Intf  Hold-time
 * Capability  Port ID`. A long Device ID sits alone on its line and the columns follow on the
 * next; Device IDs may hold spaces, so a row is read from the right. A Port ID may hold spaces
 * too (`Port 6` from an access point): when the row sits under the header's Port ID column,
 * the port is the whole text from that column on.
 */
const ROW = /^(.*?)\s+(\S+)\s+(\d+)(?:\s+([A-Za-z,]+))?\s+(\S+)\s*$/;
const COLUMNS_ONLY = /^\s+(\S+)\s+(\d+)(?:\s+([A-Za-z,]+))?\s+(\S+)\s*$/;

export function parseCiscoLldpNeighbors(output: string, warn: WarnLine = ignoreWarnings): LldpNeighbors {
  const neighbors: LldpNeighbor[] = [];
  let inTable = false;
  let pendingName: string | undefined;
  let pendingLine = 0;
  let localColumn = -1;
  let portColumn = -1;
  let footerSeen = false;
  const lines = output.replace(/\r/g, '').split('\n');
  // a name held for its columns that got a whole row (or nothing) after it instead was unreadable
  const dropPending = (): void => {
    if (pendingName !== undefined) warn(pendingLine, pendingName, 'not an LLDP neighbor row');
    pendingName = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (/^Device ID\s+Local Intf/i.test(t)) {
      inTable = true;
      localColumn = line.indexOf('Local Intf');
      portColumn = line.indexOf('Port ID');
      continue;
    }
    if (!inTable || t === '') continue;
    if (footerSeen) {
      if (!/^\S+[#>]$/.test(t)) warn(i + 1, t, 'text after the LLDP table footer');
      continue;
    }
    if (/^Total entries displayed/i.test(t)) {
      dropPending();
      footerSeen = true;
      continue;
    }
    const cont = pendingName !== undefined ? COLUMNS_ONLY.exec(line) : null;
    if (cont) {
      neighbors.push({ localInterface: cont[1]!, remoteSystemName: pendingName!, remotePort: portOf(line, portColumn, cont[4]!) });
      pendingName = undefined;
      continue;
    }
    // IOS cuts Device ID at the column width and prints Local Intf right after it, no space.
    if (localColumn > 0 && line.length > localColumn && /^\S+$/.test(line.slice(0, localColumn))) {
      const cols = COLUMNS_ONLY.exec(` ${line.slice(localColumn)}`);
      if (cols) {
        dropPending();
        neighbors.push({ localInterface: cols[1]!, remoteSystemName: line.slice(0, localColumn).trim(), remotePort: portOf(line, portColumn, cols[4]!) });
        continue;
      }
    }
    const row = ROW.exec(t);
    if (row && row[1] !== '') {
      dropPending();
      neighbors.push({ localInterface: row[2]!, remoteSystemName: row[1]!.trim(), remotePort: portOf(line, portColumn, row[5]!) });
    } else {
      // a wrapped Device ID; its columns come next (a name never followed by them was unreadable)
      dropPending();
      pendingName = t;
      pendingLine = i + 1;
    }
  }
  dropPending();
  return { neighbors };
}

/**
 * The port read from the right is its last word; under the header's Port ID column the whole
 * text from there on is the port (`Port 6`). Only when the column starts at a word boundary and
 * the text is not a capability code followed by the port (a row shifted right).
 */
function portOf(line: string, portColumn: number, lastWord: string): string {
  if (portColumn <= 0 || line.length <= portColumn || line[portColumn - 1] !== ' ') return lastWord;
  const text = line.slice(portColumn).trim();
  if (!text.includes(' ') || !text.endsWith(lastWord) || /^[BCOPRSTW,]+\s/.test(text)) return lastWord;
  return text;
}
