import type { Facts, Interface, Interfaces } from '../../contract/getters.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/** FRR `show interface`: `Interface X is up, line protocol is down`, then flags, mtu, HWaddr, inet. */
export function parseFrrInterfaces(output: string, warn: WarnLine = ignoreWarnings): Interfaces {
  const interfaces: Interface[] = [];
  let cur: Interface | undefined;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const head = /^Interface (\S+) is (up|down)(?:, line protocol is (up|down))?/.exec(line);
    if (head) {
      // "is down" alone: the kernel has the link admin down; the flags line confirms it below.
      cur = { name: head[1]!, adminUp: head[2] === 'up', operUp: head[2] === 'up' && head[3] !== 'down' };
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
    if ((m = /^flags: <([^>]*)>/.exec(t))) cur.adminUp = m[1]!.split(',').includes('UP');
    else if ((m = /^Description: (.*)$/.exec(t))) cur.description = m[1]!.trim();
    else if ((m = /^HWaddr: (\S+)/.exec(t))) cur.macAddress = m[1]!.toLowerCase();
    else if ((m = /^inet6? (\S+)/.exec(t))) (cur.addresses ??= []).push(m[1]!);
    if ((m = /\bmtu (\d+)/.exec(t))) cur.mtu = Number(m[1]);
    if ((m = /\bspeed (\d+)/.exec(t)) && Number(m[1]) > 0) cur.speedBps = Number(m[1]) * 1_000_000;
  }
  return { interfaces };
}

/** FRR `show version` (+ the interface names from `show interface brief`). */
export function parseFrrVersion(output: string, interfaceBrief = ''): Facts {
  const facts: Facts = { vendor: 'FRRouting' };
  const m = /^FRRouting (\S+) \(([^)]+)\) on (\w+)/m.exec(output.replace(/\r/g, ''));
  if (m) {
    facts.osVersion = m[1]!;
    facts.hostname = m[2]!;
    facts.model = m[3]!;
  }
  const names: string[] = [];
  for (const line of interfaceBrief.replace(/\r/g, '').split('\n')) {
    const row = /^(\S+)\s+(up|down)\s+\S+/.exec(line);
    if (row && row[1] !== 'Interface') names.push(row[1]!);
  }
  if (names.length) facts.interfaces = names;
  return facts;
}
