import { NrxError } from '../../../src/core/errors.js';
import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { networkIdOf, SCOPE } from './lib/vni-pool.js';

/**
 * The provisioned segment of a network (`segment/<network id>` in the pack's datastore scope):
 * VNI, leaves and NETCONF devices, written when the segment is in place. The delete reads it, so
 * tearing down does not depend on the VNI allocation still being there.
 */
export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<Record<string, unknown>> {
  const networkId = networkIdOf(params.network_id);
  const key = `segment/${networkId}`;
  const op = params.operation ?? 'get';
  if (op === 'get') {
    const rec = await ctx.services.kv.get(SCOPE, key);
    return rec ? { found: true, ...(JSON.parse(rec.value) as Record<string, unknown>) } : { found: false, network_id: networkId };
  }
  if (op === 'set') {
    const segment = params.segment;
    if (typeof segment !== 'object' || segment === null || Array.isArray(segment))
      throw new NrxError('NRX_ERR_PARAM_INVALID', "parameter 'segment' must be an object (vni, leaves, netconf_devices)", { location: { field: 'segment' } });
    const value = { ...(segment as Record<string, unknown>), network_id: networkId, recorded_at: new Date().toISOString() };
    await ctx.services.kv.set(SCOPE, key, JSON.stringify(value));
    ctx.log(`network ${networkId}: segment recorded`);
    return { recorded: true, ...value };
  }
  if (op === 'delete') return { network_id: networkId, deleted: await ctx.services.kv.delete(SCOPE, key) };
  throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'operation' must be get, set or delete (got ${JSON.stringify(op)})`, {
    location: { field: 'operation' },
  });
}
