import type { Interface, Interfaces } from '../../contract/getters.js';
import { toColonMac } from '../../parsing/cisco-interfaces.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * Junos `show interfaces`: a block per port opening with `Physical interface: ge-0/0/0,
 * Enabled, Physical link is Up`, its indented attributes (`MTU: 1514`, `Speed: 1000mbps`,
 * `Current address:`), then its logical units (`Logical interface ge-0/0/0.0`) whose
 * `Local:` addresses belong to the port. `MTU: Unlimited` and `Speed: Auto` leave the field out.
 * An output indented as a whole (pasted from a document) reads the same.
 */
const HEAD = /^\s*Physical interface: ([^,\s]+), (Enabled|Disabled|Administratively down)[^,]*, Physical link is (Up|Down)/i;
const SPEED_UNIT: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9 };

export function parseJunosInterfaces(output: string, warn: WarnLine = ignoreWarnings): Interfaces {
  const interfaces: Interface[] = [];
  let cur: Interface | undefined;
  let inLogical = false;
  let prefixLength: string | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    const head = HEAD.exec(line);
    if (head) {
      cur = { name: head[1]!, adminUp: /^enabled$/i.test(head[2]!), operUp: /^up$/i.test(head[3]!) };
      interfaces.push(cur);
      inLogical = false;
      continue;
    }
    if (!cur || t === '') continue;
    if (!/^\s/.test(line)) {
      if (!/^(\{\S+\}|\S+[>#])$/.test(t)) warn(i + 1, t, 'not an interface line');
      continue;
    }
    let m: RegExpExecArray | null;
    if (/^Logical interface /.test(t)) {
      inLogical = true;
      continue;
    }
    if (inLogical) {
      // `Destination: 10.0.0/24, Local: 10.0.0.1, Broadcast: ...`: the prefix length is the destination's
      if ((m = /Destination: \S+?\/(\d+)/.exec(t))) prefixLength = m[1];
      if ((m = /\bLocal: ([0-9a-f.:]+)/i.exec(t))) (cur.addresses ??= []).push(prefixLength ? `${m[1]}/${prefixLength}` : m[1]!);
      continue;
    }
    if ((m = /^Description:\s*(.*)$/.exec(t))) cur.description = m[1]!.trim();
    if ((m = /\bMTU: (\d+)/.exec(t))) cur.mtu = Number(m[1]);
    if ((m = /\bSpeed: (\d+)([kmg])bps/i.exec(t))) cur.speedBps = Number(m[1]) * SPEED_UNIT[m[2]!.toLowerCase()]!;
    if ((m = /^Current address: ([0-9a-f:.]+)/i.exec(t))) cur.macAddress = toColonMac(m[1]!);
  }
  return { interfaces };
}
