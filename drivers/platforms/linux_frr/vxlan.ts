import { NrxError } from '../../../src/core/errors.js';
import type { VxlanVni, VxlanVnis } from '../../contract/getters.js';
import type { WarnLine } from '../../parsing/warnings.js';

/**
 * VXLAN on a Linux switch, the way Cumulus Linux and SONiC's kernel do it: one `vxlan` device
 * per VNI, a member of the hosts' bridge, sourced from the loopback (the VTEP), with a flood list
 * of the other VTEPs (all-zero MAC fdb entries: head-end replication) instead of multicast.
 * Read back as JSON (`ip -j`, `bridge -j`): the kernel's own fields, no screen scraping.
 */

export const VXLAN_LINKS_COMMAND = 'ip -d -j link show type vxlan';
export const FDB_COMMAND = 'bridge -j fdb show';
const VNI_MAX = 16_777_215;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** What a VXLAN segment on one switch is made of. */
export interface VxlanSegment {
  vni: number;
  /** This switch's VTEP address (its loopback). */
  localVtep: string;
  /** The other switches' VTEPs: the flood list. */
  remoteVteps: string[];
  bridge: string;
  udpPort?: number;
}

export const vxlanInterface = (vni: number): string => `vxlan${vni}`;

function bad(field: string, why: string, got: unknown): NrxError {
  return new NrxError('NRX_ERR_PARAM_INVALID', `VXLAN segment: '${field}' ${why} (got ${JSON.stringify(got)})`, { location: { field } });
}

/** Every value is checked before it reaches a shell command line. */
export function checkSegment(s: VxlanSegment): VxlanSegment {
  if (!Number.isInteger(s.vni) || s.vni < 1 || s.vni > VNI_MAX) throw bad('vni', `must be a whole number from 1 to ${VNI_MAX}`, s.vni);
  if (typeof s.localVtep !== 'string' || !IPV4.test(s.localVtep)) throw bad('local_vtep', 'must be an IPv4 address', s.localVtep);
  if (!Array.isArray(s.remoteVteps)) throw bad('remote_vteps', 'must be a list of IPv4 addresses', s.remoteVteps);
  s.remoteVteps.forEach((r, i) => {
    if (typeof r !== 'string' || !IPV4.test(r)) throw bad(`remote_vteps[${i}]`, 'must be an IPv4 address', r);
  });
  if (typeof s.bridge !== 'string' || !IFNAME.test(s.bridge)) throw bad('bridge', 'must be an interface name (letters, digits, _ . -; up to 15)', s.bridge);
  const port = s.udpPort ?? 4789;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('udp_port', 'must be a UDP port', s.udpPort);
  return { ...s, udpPort: port };
}

/** Shell lines that make the segment (run at the switch's prompt; `sudo -n` fails at once instead of asking). */
export function addSegmentLines(segment: VxlanSegment): string[] {
  const s = checkSegment(segment);
  const dev = vxlanInterface(s.vni);
  return [
    `sudo -n ip link add ${dev} type vxlan id ${s.vni} local ${s.localVtep} dstport ${s.udpPort} nolearning`,
    `sudo -n ip link set ${dev} master ${s.bridge}`,
    ...s.remoteVteps.map((r) => `sudo -n bridge fdb append 00:00:00:00:00:00 dev ${dev} dst ${r}`),
    `sudo -n ip link set ${dev} up`,
  ];
}

/** Deleting the device takes its bridge membership and flood list with it. */
export function removeSegmentLines(vni: number): string[] {
  checkSegment({ vni, localVtep: '0.0.0.0', remoteVteps: [], bridge: 'x' });
  return [`sudo -n ip link del ${vxlanInterface(vni)}`];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonArray(output: string, command: string): unknown[] {
  const text = output.trim();
  if (text === '') return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NrxError('NRX_ERR_PARSE', `linux_frr '${command}': not the JSON list it prints (${(e as Error).message.slice(0, 80)})`);
  }
  if (!Array.isArray(v)) throw new NrxError('NRX_ERR_PARSE', `linux_frr '${command}': expected a JSON list, got ${v === null ? 'null' : typeof v}`);
  return v;
}

/** `ip -d -j link show type vxlan` -> the segments, with empty flood lists. */
export function parseVxlanLinks(output: string, command = VXLAN_LINKS_COMMAND, warn?: WarnLine): VxlanVnis {
  const vnis: VxlanVni[] = [];
  jsonArray(output, command).forEach((link, i) => {
    const info = isObject(link) && isObject(link.linkinfo) && isObject(link.linkinfo.info_data) ? link.linkinfo.info_data : undefined;
    if (!isObject(link) || typeof link.ifname !== 'string' || !info || typeof info.id !== 'number') {
      warn?.(1, JSON.stringify(link)?.slice(0, 120) ?? String(link), `list entry ${i}: not a vxlan link with an ifname and a VNI`);
      return;
    }
    const flags = Array.isArray(link.flags) ? link.flags : [];
    vnis.push({
      vni: info.id,
      interface: link.ifname,
      ...(typeof info.local === 'string' ? { localVtep: info.local } : {}),
      ...(typeof info.port === 'number' ? { udpPort: info.port } : {}),
      ...(typeof link.master === 'string' ? { bridge: link.master } : {}),
      ...(typeof info.learning === 'boolean' ? { learning: info.learning } : {}),
      up: flags.includes('UP'),
      floodVteps: [],
    });
  });
  return { vnis: vnis.sort((a, b) => a.vni - b.vni) };
}

/** The flood list per vxlan device: `bridge -j fdb show` entries with the all-zero MAC and a dst. */
export function floodLists(output: string, command = FDB_COMMAND): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const e of jsonArray(output, command)) {
    if (!isObject(e) || e.mac !== '00:00:00:00:00:00' || typeof e.dst !== 'string' || typeof e.ifname !== 'string') continue;
    lists.set(e.ifname, [...(lists.get(e.ifname) ?? []), e.dst]);
  }
  return lists;
}

/** The getter: links, then each link's flood list. */
export function buildVxlanVnis(linksOutput: string, fdbOutput: string): VxlanVnis {
  const model = parseVxlanLinks(linksOutput);
  const floods = floodLists(fdbOutput);
  return { vnis: model.vnis.map((v) => ({ ...v, floodVteps: [...(floods.get(v.interface) ?? [])].sort() })) };
}
