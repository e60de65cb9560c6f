import type { Interface, Interfaces } from '../contract/getters.js';
import { ignoreWarnings, type WarnLine } from './warnings.js';

/**
 * `show interfaces` as IOS, IOS-XE and EOS print it: a block per interface opening with
 * `X is up, line protocol is up`, then description, hardware address, MTU and bandwidth.
 */
const HEAD = /^(\S+) is (administratively down|up|down|deleted)(?:[^,]*)?,\s*line protocol is (up|down)/;

export function parseCiscoInterfaces(output: string, warn: WarnLine = ignoreWarnings): Interfaces {
  const interfaces: Interface[] = [];
  let cur: Interface | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const head = HEAD.exec(line);
    if (head) {
      cur = { name: head[1]!, adminUp: head[2] !== 'administratively down', operUp: head[3] === 'up' };
      interfaces.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    // a block's own lines are indented: an unindented line that opens no block belongs to none
    if (t !== '' && !/^\s/.test(line)) {
      if (!/^\S+[#>]$/.test(t)) warn(i + 1, t, 'not an interface line');
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^Description:\s*(.*)$/.exec(t))) cur.description = m[1]!.trim();
    else if ((m = /address is ([0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{2}(?::[0-9a-f]{2}){5})/i.exec(t))) cur.macAddress = toColonMac(m[1]!);
    if ((m = /\bMTU (\d+) bytes/.exec(t))) cur.mtu = Number(m[1]);
    if ((m = /\bBW (\d+) Kbit/.exec(t))) cur.speedBps = Number(m[1]) * 1000;
    if ((m = /Internet address is (\S+)/.exec(t))) (cur.addresses ??= []).push(m[1]!);
  }
  return { interfaces };
}

/** `000c.29b1.aa1b` -> `00:0c:29:b1:aa:1b`: one spelling across vendors. */
export function toColonMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return hex.length === 12 ? hex.match(/../g)!.join(':') : mac.toLowerCase();
}
