import type { PackActionContext } from '../../../../src/executions/runners/module-services.js';
import { VniPool, vniRangeOf } from './vni-pool.js';

/** The pool as the pack config sets it up, read on every run so an edited range applies at once. */
export function poolOf(ctx: PackActionContext): VniPool {
  const keep = ctx.config.remember_deleted_seconds;
  return new VniPool(ctx.services.kv, vniRangeOf(ctx.config), typeof keep === 'number' && Number.isInteger(keep) && keep > 0 ? keep : undefined);
}
