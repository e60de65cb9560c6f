import type { Interface, Interfaces } from '../contract/getters.js';
import { ignoreWarnings, type WarnLine } from './warnings.js';

/**
 * `show interfaces` as IOS, IOS-XE, IOS-XR, NX-OS and EOS print it: a block per interface
 * opening with `X is up, line protocol is up`, then description, hardware address, MTU and
 * bandwidth. EOS adds `notpresent` and the like; IOS-XR says `line protocol is administratively down` and may indent a bundle's
 * head by a space; NX-OS opens physical ports with `Ethernet1/1 is up` (a reason in
 * parentheses, no line protocol) and an unindented `admin state is up,` line.
 */
const HEAD = /^\s?(\S+) is (administratively down|up|down|deleted)(?:\s*\(([^)]*)\))?(?:[^,]*,\s*line protocol is ((?:administratively )?\w+))?\s*(?:\(.*\))?$/;

export function parseCiscoInterfaces(output: string, warn: WarnLine = ignoreWarnings): Interfaces {
  const interfaces: Interface[] = [];
  let cur: Interface | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const head = HEAD.exec(line);
    if (head) {
      const adminDown = head[2] === 'administratively down' || /administratively down/i.test(head[3] ?? '');
      // NX-OS prints no line protocol for physical ports: the port's own state is the link's
      cur = { name: head[1]!, adminUp: !adminDown, operUp: (head[4] ?? head[2]) === 'up' };
      interfaces.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^admin state is (up|down)\b/.exec(t))) {
      cur.adminUp = m[1] === 'up';
      continue;
    }
    // a block's own lines are indented: an unindented line that opens no block belongs to none
    if (t !== '' && !/^\s/.test(line)) {
      if (!/^\S+[#>]$/.test(t)) warn(i + 1, t, 'not an interface line');
      continue;
    }
    if ((m = /^Description:\s*(.*)$/.exec(t))) cur.description = m[1]!.trim();
    else if ((m = /address(?: is|:)\s+([0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{2}(?::[0-9a-f]{2}){5})/i.exec(t))) cur.macAddress = toColonMac(m[1]!);
    if ((m = /\bMTU (\d+) bytes/.exec(t))) cur.mtu = Number(m[1]);
    // `BW 0 Kbit` (loopbacks, tunnels, IOS-XR management ports) is no speed, not a zero one; EOS writes `kbit`
    if ((m = /\bBW (\d+) kbit/i.exec(t)) && Number(m[1]) > 0) cur.speedBps = Number(m[1]) * 1000;
    // IOS-XR says `Internet address is Unknown` for an interface without one
    if ((m = /Internet address is (\d\S*)/i.exec(t))) (cur.addresses ??= []).push(m[1]!);
  }
  return { interfaces };
}

/** `000c.29b1.aa1b` -> `00:0c:29:b1:aa:1b`: one spelling across vendors. */
export function toColonMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return hex.length === 12 ? hex.match(/../g)!.join(':') : mac.toLowerCase();
}
