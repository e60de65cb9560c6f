import { NrxError } from '../../../src/core/errors.js';
import type { VxlanVni } from '../../../drivers/contract/getters.js';
import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { networkTypeOf } from './lib/network-type.js';
import { fabricOf, leafHolds, leafPlans, netconfHolds, netconfPlan, type LeafPlan } from './lib/segment.js';
import { networkIdOf, vniOf } from './lib/vni-pool.js';

type Observed = { device?: unknown; vnis?: unknown; data_xml?: unknown } | null;

function list(v: unknown, field: string): Observed[] {
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter '${field}' must be a list of results`, { location: { field } });
  return v as Observed[];
}

export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<Record<string, unknown>> {
  const networkId = networkIdOf(params.network_id);
  if (params.vni === undefined || params.vni === null || params.vni === '') {
    // Asked only whether the job applies: is it a VXLAN network (gets a VNI), and is there a fabric to configure?
    const type = networkTypeOf(params.network_type, ctx.config);
    const applies = { network_id: networkId, network_type: type, vxlan: type === 'vxlan' };
    if (!fabricConfigured(ctx.config)) return { ...applies, configured: false };
    const fabric = fabricOf(ctx.config);
    return { ...applies, configured: true, devices: fabric.leaves.map((l) => l.device), netconf_devices: fabric.netconfDevices };
  }
  const vni = vniOf(params.vni);
  const name = typeof params.name === 'string' && params.name !== '' ? params.name : null;
  const fabric = fabricOf(ctx.config);
  const only = Array.isArray(params.only) ? new Set(params.only.filter((d): d is string => typeof d === 'string')) : null;
  const leaves = leafPlans(fabric, vni).filter((l) => !only || only.has(l.device));
  const out: Record<string, unknown> = {
    network_id: networkId,
    vni,
    name,
    leaves,
    devices: leaves.map((l) => l.device),
    netconf_devices: fabric.netconfDevices.filter((d) => !only || only.has(d)),
    netconf: netconfPlan(fabric, vni, name),
  };
  if (params.observed !== undefined && params.observed !== null) {
    const seen = new Map<string, VxlanVni[]>();
    for (const r of list(params.observed, 'observed')) if (r && typeof r.device === 'string' && Array.isArray(r.vnis)) seen.set(r.device, r.vnis as VxlanVni[]);
    const state: Record<string, string> = {};
    const by = (s: string): LeafPlan[] => leaves.filter((l) => state[l.device] === s);
    for (const l of leaves) state[l.device] = seen.has(l.device) ? leafHolds(seen.get(l.device)!, l, fabric, vni) : 'unread';
    Object.assign(out, {
      leaf_state: state,
      missing: by('absent'),
      missing_devices: by('absent').map((l) => l.device),
      present: leaves.filter((l) => state[l.device] === 'in_place' || state[l.device] === 'different'),
      different: by('different').map((l) => l.device),
      unread: by('unread').map((l) => l.device),
      in_place: leaves.every((l) => state[l.device] === 'in_place'),
      gone: leaves.every((l) => state[l.device] === 'absent'),
    });
    ctx.log(`VNI ${vni}: ${leaves.map((l) => `${l.device} ${state[l.device]}`).join(', ')}`);
  }
  if (params.netconf_observed !== undefined && params.netconf_observed !== null) {
    const held = new Set<string>();
    for (const r of list(params.netconf_observed, 'netconf_observed'))
      if (r && typeof r.device === 'string' && netconfHolds(r.data_xml, vni)) held.add(r.device);
    const devices = out.netconf_devices as string[];
    Object.assign(out, { netconf_present: devices.filter((d) => held.has(d)), netconf_missing: devices.filter((d) => !held.has(d)) });
  }
  if ('in_place' in out && 'netconf_missing' in out) out.unchanged = out.in_place === true && (out.netconf_missing as string[]).length === 0;
  return out;
}

/** The config schema fills fabric's defaults (bridge, udp_port...) even when none is set: the leaves say whether one is. */
function fabricConfigured(config: Record<string, unknown>): boolean {
  const f = config.fabric as Record<string, unknown> | null | undefined;
  return typeof f === 'object' && f !== null && f.leaves !== undefined && f.leaves !== null;
}
