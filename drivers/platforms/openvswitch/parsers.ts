import { NrxError } from '../../../src/core/errors.js';
import type { Interface, Interfaces, LagMember, LagMembers } from '../../contract/getters.js';
import { ignoreWarnings, type WarnLine } from '../../parsing/warnings.js';

/**
 * The switch CLI's `show lag` is `ovs-appctl bond/show` as OVS prints it (3.x; 2.x said `slave`):
 *   ---- bondA ----
 *   bond_mode: balance-tcp            <- bond settings, `key: value`
 *   lacp_status: negotiated
 *   member lagx1-a: enabled           <- one block per member
 *     active member
 *     may_enable: true
 *     hash 163: 3 kB load             <- the hash buckets sent over it (when OVS shows them)
 */
const BOND = /^---- (\S+) ----$/;
const SETTING = /^([a-z][\w -]*?):\s*(.*)$/;
const MEMBER = /^(?:member|slave) ([^\s:]+): (\w+)$/;
const DETAIL = /^(active (?:member|slave)|may_enable: (?:true|false)|hash \d+: \d+ kB load|lacp_status: .*|[\w ]+: .*)$/;

export function parseOvsBondShow(output: string, warn: WarnLine = ignoreWarnings): LagMembers {
  const members: LagMember[] = [];
  let lag: string | undefined;
  let protocol: string | undefined;
  let cur: LagMember | undefined;
  let sawBond = false;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (t === '') continue;
    const b = BOND.exec(t);
    if (b) {
      sawBond = true;
      lag = b[1]!;
      protocol = undefined;
      cur = undefined;
      continue;
    }
    if (!lag) {
      if (!/^\S+[#>]$/.test(t)) warn(i + 1, t, 'before the first bond');
      continue;
    }
    const m = MEMBER.exec(t);
    if (m && !/^\s/.test(line)) {
      cur = { lag, member: m[1]!, up: m[2] === 'enabled', status: m[2]! };
      if (protocol) cur.protocol = protocol;
      members.push(cur);
      continue;
    }
    if (cur && /^\s/.test(line) && DETAIL.test(t)) {
      const h = /^hash \d+: (\d+) kB load$/.exec(t);
      if (h) cur.hashes = (cur.hashes ?? 0) + 1;
      continue;
    }
    const s = SETTING.exec(t);
    if (s && !cur) {
      // LACP or not decides the protocol word every platform reports
      if (s[1] === 'lacp_status') protocol = s[2] === 'off' ? 'static' : 'LACP';
      continue;
    }
    if (!/^\S+[#>]$/.test(t)) warn(i + 1, t, 'not a bond line');
  }
  if (!sawBond && output.trim() !== '')
    throw new NrxError(
      'NRX_ERR_PARSE',
      `openvswitch 'show lag': no bond in the output (first line: ${JSON.stringify(output.trim().split('\n')[0]!.slice(0, 120))})`,
    );
  return { members };
}

/** `show interfaces`: `Interface Admin Oper tx_packets tx_bytes rx_packets rx_bytes`, one row per port. */
export function parseOvsInterfaces(output: string, warn: WarnLine = ignoreWarnings): Interfaces & { counters: Map<string, { txBytes: number }> } {
  const interfaces: Interface[] = [];
  const counters = new Map<string, { txBytes: number }>();
  let sawHeader = false;
  const lines = output.replace(/\r/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    if (/^Interface\s+Admin\s+Oper\b/.test(t)) {
      sawHeader = true;
      continue;
    }
    const r = /^(\S+)\s+(up|down)\s+(up|down)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(t);
    if (sawHeader && r) {
      interfaces.push({ name: r[1]!, adminUp: r[2] === 'up', operUp: r[3] === 'up' });
      counters.set(r[1]!, { txBytes: Number(r[5]) });
      continue;
    }
    if (!/^\S+[#>]$/.test(t)) warn(i + 1, t, sawHeader ? 'not an interface row' : 'before the header');
  }
  if (!sawHeader && output.trim() !== '')
    throw new NrxError(
      'NRX_ERR_PARSE',
      `openvswitch 'show interfaces': no interface table in the output (first line: ${JSON.stringify(output.trim().split('\n')[0]!.slice(0, 120))})`,
    );
  return { interfaces, counters };
}

/**
 * The LAG getter: the bonds, with each member's admin state and its share of the bytes its LAG
 * transmitted (the spread as counters show it; OVS's per-hash load is kept as `hashes`).
 */
export function buildOvsLagMembers(bondShow: string, interfaces: string): LagMembers {
  const { members } = parseOvsBondShow(bondShow);
  const ports = parseOvsInterfaces(interfaces);
  const total = new Map<string, number>();
  for (const m of members) {
    const c = ports.counters.get(m.member);
    if (c) {
      m.txBytes = c.txBytes;
      total.set(m.lag, (total.get(m.lag) ?? 0) + c.txBytes);
    }
    const i = ports.interfaces.find((x) => x.name === m.member);
    if (i) m.adminUp = i.adminUp;
  }
  for (const m of members) {
    const sum = total.get(m.lag) ?? 0;
    if (m.txBytes !== undefined && sum > 0) m.loadPercent = Math.round((m.txBytes / sum) * 1000) / 10;
  }
  return { members };
}
