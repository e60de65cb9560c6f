import { describeError, NrxError } from '../core/errors.js';
import { maskSecretText } from '../core/secret-values.js';
import type { ExecutionStatus } from '../store/records.js';
import type { Runner } from './action.js';
import type { Finish, Live } from './live.js';

const MAX_LOG_LINES = 2000;

/**
 * Run a plain action on its runner: abortable (cancel, timeout), its log lines kept (masked,
 * at most 2000), and its end handed to `finish`. Resolves once that end is handled.
 */
export function runOnRunner(runner: Runner, live: Live, finish: Finish): Promise<void> {
  const { rec, action } = live;
  const abort = new AbortController();
  live.abort = abort;
  if (live.timeoutMs) {
    live.timer = setTimeout(() => {
      live.endReason = 'timeout';
      abort.abort(new NrxError('NRX_ERR_TIMEOUT', `${rec.action} ran past its timeout of ${live.timeoutMs} ms`));
    }, live.timeoutMs);
  }
  let result: Promise<Awaited<ReturnType<Runner['run']>>>;
  try {
    result = runner.run(action, live.params, {
      executionId: rec.id,
      action,
      signal: abort.signal,
      traceId: rec.context.traceId ?? null,
      log: (line) => {
        if (rec.log.length < MAX_LOG_LINES) rec.log.push(maskSecretText(line));
      },
    });
  } catch (e) {
    result = Promise.reject(e);
  }
  return result.then(
    (r) => {
      let status: ExecutionStatus = r.status;
      if (live.endReason === 'canceled') status = 'canceled';
      else if (live.endReason === 'timeout') status = 'timeout';
      const error =
        r.error ?? (status === 'timeout' ? { code: 'NRX_ERR_TIMEOUT', message: `${rec.action} ran past its timeout of ${live.timeoutMs} ms` } : null);
      return finish(live, status, r.result, error);
    },
    (e) => {
      const status: ExecutionStatus = live.endReason === 'canceled' ? 'canceled' : live.endReason === 'timeout' ? 'timeout' : 'failed';
      return finish(live, status, null, describeError(e));
    },
  );
}
