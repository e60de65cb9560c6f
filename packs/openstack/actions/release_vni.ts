import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { poolOf } from './lib/pool-of.js';
import { networkIdOf, type ReleaseOutcome } from './lib/vni-pool.js';

export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<ReleaseOutcome> {
  const networkId = networkIdOf(params.network_id);
  const outcome = await poolOf(ctx).release(networkId, { rememberDeleted: params.remember_deleted !== false });
  ctx.log(outcome.vnis.length ? `network ${networkId}: released VNI ${outcome.vnis.join(', ')}` : `network ${networkId} held no VNI`);
  return outcome;
}
