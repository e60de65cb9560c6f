import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { poolOf } from './lib/pool-of.js';
import { networkIdOf, vniOf, type AllocateOutcome } from './lib/vni-pool.js';

export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<AllocateOutcome> {
  const networkId = networkIdOf(params.network_id);
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const wanted = params.vni === undefined || params.vni === null || params.vni === '' ? undefined : vniOf(params.vni);
  const outcome = await poolOf(ctx).allocate(networkId, { name: text(params.name), project_id: text(params.project_id), ...(wanted ? { wanted } : {}) });
  ctx.log(
    outcome.state === 'deleted' ? `network ${networkId} was already deleted: no VNI allocated` : `network ${networkId}: VNI ${outcome.vni} (${outcome.state})`,
  );
  return outcome;
}
