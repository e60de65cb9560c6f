import { NrxError } from '../../../../src/core/errors.js';
import { addSegmentLines, checkSegment, removeSegmentLines } from '../../../../drivers/platforms/linux_frr/vxlan.js';
import type { VxlanVni } from '../../../../drivers/contract/getters.js';

/**
 * A Neutron network's VXLAN segment on the fabric, from the pack config's `fabric`: what each leaf
 * needs (the linux_frr lines to add and remove it), what the NETCONF switches get (edit-config
 * XML), and - given what the devices hold now - where it is missing, present or different.
 * Pure: no device is touched here; the workflow reads and writes through the network pack.
 */

export interface Fabric {
  leaves: Array<{ device: string; vtep: string }>;
  bridge: string;
  udpPort: number;
  netconfDevices: string[];
  netconfNamespace: string;
}

export interface LeafPlan {
  device: string;
  vtep: string;
  add_lines: string[];
  remove_lines: string[];
}

const DEVICE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const hint = 'set `fabric` in configs/openstack.yaml (see docs/scenarios/vxlan.md)';

function configError(field: string, why: string): NrxError {
  return new NrxError('NRX_ERR_CONFIG', `pack openstack: config value 'fabric.${field}' ${why}; ${hint}`, { location: { field: `fabric.${field}` } });
}

export function fabricOf(config: Record<string, unknown>): Fabric {
  const f = config.fabric;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw configError('leaves', 'is not set (no fabric configured)');
  const raw = f as Record<string, unknown>;
  if (!Array.isArray(raw.leaves) || raw.leaves.length === 0) throw configError('leaves', 'must list at least one leaf: [{device, vtep}]');
  const leaves = raw.leaves.map((l, i) => {
    const leaf = (typeof l === 'object' && l !== null ? l : {}) as Record<string, unknown>;
    if (typeof leaf.device !== 'string' || !DEVICE.test(leaf.device)) throw configError(`leaves[${i}].device`, 'must be an inventory device name');
    if (typeof leaf.vtep !== 'string') throw configError(`leaves[${i}].vtep`, "must be the leaf's VTEP (loopback) IPv4 address");
    return { device: leaf.device, vtep: leaf.vtep };
  });
  const netconfDevices = Array.isArray(raw.netconf_devices) ? raw.netconf_devices : [];
  netconfDevices.forEach((d, i) => {
    if (typeof d !== 'string' || !DEVICE.test(d)) throw configError(`netconf_devices[${i}]`, 'must be an inventory device name');
  });
  const ns = typeof raw.netconf_namespace === 'string' && raw.netconf_namespace !== '' ? raw.netconf_namespace : 'urn:netreflex:lab';
  if (/["<>&]/.test(ns)) throw configError('netconf_namespace', 'must be a namespace URI');
  return {
    leaves,
    bridge: typeof raw.bridge === 'string' ? raw.bridge : 'bridge',
    udpPort: typeof raw.udp_port === 'number' ? raw.udp_port : 4789,
    netconfDevices: netconfDevices as string[],
    netconfNamespace: ns,
  };
}

/** Each leaf floods to every other leaf's VTEP (head-end replication). */
export function leafPlans(fabric: Fabric, vni: number): LeafPlan[] {
  return fabric.leaves.map((leaf) => {
    const segment = {
      vni,
      localVtep: leaf.vtep,
      remoteVteps: fabric.leaves.filter((o) => o.device !== leaf.device).map((o) => o.vtep),
      bridge: fabric.bridge,
      udpPort: fabric.udpPort,
    };
    try {
      checkSegment(segment);
    } catch (e) {
      const field = (e as NrxError).location?.field;
      if (field === 'local_vtep') throw configError(`leaves[${fabric.leaves.indexOf(leaf)}].vtep`, `is not an IPv4 address (${JSON.stringify(leaf.vtep)})`);
      if (field === 'bridge' || field === 'udp_port') throw configError(field, `is not valid (${(e as Error).message})`);
      throw e;
    }
    return { device: leaf.device, vtep: leaf.vtep, add_lines: addSegmentLines(segment), remove_lines: removeSegmentLines(vni) };
  });
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The NETCONF side: the segment as the YANG module's device/vxlan/vni entry, its removal, and a filter for it. */
export function netconfPlan(fabric: Fabric, vni: number, name: string | null): { config: string; remove: string; filter: string } {
  const ns = fabric.netconfNamespace;
  const floods = fabric.leaves.map((l) => `<flood-vtep>${escapeXml(l.vtep)}</flood-vtep>`).join('');
  const label = name ? `<name>${escapeXml(name)}</name>` : '';
  return {
    config: `<device xmlns="${ns}"><vxlan><vni><id>${vni}</id>${label}${floods}</vni></vxlan></device>`,
    remove: `<device xmlns="${ns}"><vxlan><vni xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="remove"><id>${vni}</id></vni></vxlan></device>`,
    filter: `<device xmlns="${ns}"><vxlan><vni><id>${vni}</id></vni></vxlan></device>`,
  };
}

/** Does a leaf's vxlan_vnis model hold this segment as planned (VNI, VTEP, bridge, flood list, up)? */
export function leafHolds(vnis: VxlanVni[], plan: LeafPlan, fabric: Fabric, vni: number): 'in_place' | 'absent' | 'different' {
  const v = vnis.find((x) => x.vni === vni);
  if (!v) return 'absent';
  const want = fabric.leaves
    .filter((o) => o.device !== plan.device)
    .map((o) => o.vtep)
    .sort();
  const same = v.localVtep === plan.vtep && v.bridge === fabric.bridge && v.up && JSON.stringify([...v.floodVteps].sort()) === JSON.stringify(want);
  return same ? 'in_place' : 'different';
}

/** Does a get-config answer (data_xml filtered to the VNI) hold it? */
export function netconfHolds(dataXml: unknown, vni: number): boolean {
  return typeof dataXml === 'string' && new RegExp(`<id>\\s*${vni}\\s*</id>`).test(dataXml);
}
