import { GETTER_NAMES } from '../../../drivers/contract/getters.js';
import { describeError, NrxError } from '../../core/errors.js';
import type { ParamSpec, RunContext, RunResultOk } from '../action.js';
import { TEXTFSM_PARAMETERS } from './cli-textfsm.js';

/** What the CLI runners share: their parameters, and how a broken device becomes a failed result. */

/** The runners' answer when the infrastructure broke: a failed result carrying the error's code. */
export function infrastructureFailure(e: unknown, ctx: RunContext, device: string): RunResultOk {
  if (ctx.signal.aborted) {
    const timedOut = ctx.signal.reason instanceof NrxError && ctx.signal.reason.code === 'NRX_ERR_TIMEOUT';
    return {
      status: timedOut ? 'timeout' : 'failed',
      result: { device },
      error: { code: timedOut ? 'NRX_ERR_TIMEOUT' : 'NRX_ERR_CANCELED', message: `device ${device}: ${timedOut ? 'timed out' : 'canceled'}` },
    };
  }
  const d = describeError(e);
  return { status: d.code === 'NRX_ERR_DEVICE_TIMEOUT' ? 'timeout' : 'failed', result: { device }, error: { code: d.code, message: d.message } };
}

export function deviceParam(params: Record<string, unknown>): string {
  const d = params.device;
  if (typeof d !== 'string' || d === '') throw new NrxError('NRX_ERR_PARAM_INVALID', "parameter 'device' (inventory name) is required");
  return d;
}

export function stringList(params: Record<string, unknown>, many: string, one: string): string[] {
  const v = params[many] ?? params[one];
  if (typeof v === 'string') return v.split('\n').filter((l) => l.trim() !== '');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter '${many}' (list of strings) or '${one}' (string) is required`);
}

/** Parameters of the cli, cli-config and getter runners, for the lead to add to RUNNER_PARAMETERS. */
export const DEVICE_RUNNER_PARAMETERS: Record<string, Record<string, ParamSpec>> = {
  cli: {
    device: { type: 'string', required: true, description: 'Inventory name of the device.' },
    commands: { type: 'array', items: { type: 'string' }, description: 'Commands sent in order on one session.' },
    command: { type: 'string', description: 'One command (or several, one per line) when commands is not given.' },
    stop_on_failure: { type: 'boolean', default: false, description: 'Leave the remaining commands unsent after one the device rejects.' },
    command_timeout: { type: 'integer', default: 30, description: 'Seconds to wait for the prompt after each command.' },
    ...TEXTFSM_PARAMETERS,
  },
  'cli-config': {
    device: { type: 'string', required: true, description: 'Inventory name of the device.' },
    lines: { type: 'array', items: { type: 'string' }, description: 'Configuration lines, sent in config mode (committed on commit platforms).' },
    config: { type: 'string', description: 'Configuration text, one line per line, when lines is not given.' },
  },
  getter: {
    device: { type: 'string', required: true, description: 'Inventory name of the device.' },
    getter: {
      type: 'string',
      required: true,
      enum: [...GETTER_NAMES],
      description: 'Which vendor-neutral model to read.',
    },
  },
};
