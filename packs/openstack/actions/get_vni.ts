import { NrxError } from '../../../src/core/errors.js';
import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { poolOf } from './lib/pool-of.js';
import { networkIdOf, vniOf, type Allocation } from './lib/vni-pool.js';

export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<Allocation | { allocations: Allocation[] }> {
  const pool = poolOf(ctx);
  const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  if (given(params.network_id)) {
    const id = networkIdOf(params.network_id);
    const found = await pool.lookup(id);
    if (!found) throw new NrxError('NRX_ERR_NOT_FOUND', `network ${id} holds no VNI`, { location: { field: 'network_id' } });
    return found;
  }
  if (given(params.vni)) {
    const vni = vniOf(params.vni);
    const found = await pool.holderOf(vni);
    if (!found) throw new NrxError('NRX_ERR_NOT_FOUND', `VNI ${vni} is not allocated`, { location: { field: 'vni' } });
    return found;
  }
  return { allocations: await pool.list() };
}
