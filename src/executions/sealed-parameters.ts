import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { rememberSecret } from '../core/secret-values.js';
import type { ExecutionRecord } from '../store/records.js';
import type { ActionSpec } from './action.js';
import type { ExecutionPlacement } from './ownership.js';
import { secretValues } from './params.js';

/**
 * The parameters for running an execution another node recorded (or this node before a
 * restart): the sealed copy (secrets included) when there is one, else the stored (masked) ones.
 */
export function parametersToRun(
  placement: ExecutionPlacement | undefined,
  log: Logger,
  rec: ExecutionRecord,
  sealed: string | null,
  action: ActionSpec | undefined,
): Record<string, unknown> {
  if (sealed && placement) {
    try {
      const params = placement.openParameters(sealed);
      if (action) rememberSecret(secretValues(action, params));
      return params;
    } catch (e) {
      log.warn(
        { id: rec.id, err: describeError(e) },
        'sealed parameters cannot be opened here (is the secrets key file the same on every node?); running with the stored ones',
      );
    }
  }
  return { ...rec.parameters };
}
