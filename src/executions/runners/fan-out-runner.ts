import { ERROR_CATALOGUE, NrxError, type ErrorCode } from '../../core/errors.js';
import type { ActionSpec, ParamSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { fanOut, summarise } from '../../../drivers/access/fan-out.js';

/** Parameters every device runner gains: run on one device, or on every device a filter selects. */
export const FAN_OUT_PARAMETERS: Record<string, ParamSpec> = {
  device: { type: 'string', description: 'Inventory name of the device (or use `on`).' },
  on: { type: 'string', description: 'Inventory filter (e.g. "role=leaf and site=dc1"): run on every device it selects.' },
  concurrency: { type: 'integer', default: 20, description: 'With `on`: devices worked on at once.' },
};

/** A device runner's declaration as registered: its parameters and the fan-out ones. */
export function withFanOut(d: RunnerDeclaration): RunnerDeclaration {
  return { runnerType: d.runnerType, aliases: d.aliases, parameters: { ...d.parameters, ...FAN_OUT_PARAMETERS } };
}

/** Which devices an inventory filter selects (the inventory service's listHosts). */
export type DeviceSelector = (filter: string) => Promise<string[]>;

/**
 * A device runner that also runs over an inventory filter: with `on`, the inner runner runs
 * once per selected device (at most `concurrency` at once) and the result lists every device,
 * ok or failed with its reason — 197 ok and 3 clear failures, never one exception. The
 * execution fails when any device failed; the per-device results are there either way.
 */
export class FanOutRunner implements Runner {
  readonly runnerType: string;
  readonly aliases: readonly string[];
  readonly parameters: Readonly<Record<string, ParamSpec>>;

  constructor(
    private readonly inner: Runner,
    private readonly select: DeviceSelector,
  ) {
    ({ runnerType: this.runnerType, aliases: this.aliases, parameters: this.parameters } = withFanOut(inner));
  }

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    const on = params.on;
    const { on: _on, concurrency: _c, ...rest } = params;
    if (on === undefined || on === null || on === '') return this.inner.run(action, rest, ctx);
    if (rest.device) throw new NrxError('NRX_ERR_PARAM_INVALID', `${action.ref}: give either 'device' or 'on', not both`);
    const devices = await this.select(String(on));
    if (devices.length === 0)
      return {
        status: 'failed',
        result: { on, devices: [] },
        error: { code: 'NRX_ERR_DEVICE_NOT_FOUND', message: `${action.ref}: no inventory device matches on=${JSON.stringify(on)}` },
      };
    const outcomes = await fanOut(
      devices,
      async (device) => {
        const r = await this.inner.run(action, { ...rest, device }, { ...ctx, log: (line) => ctx.log(`${device}: ${line}`) });
        if (r.status !== 'succeeded') {
          const code =
            r.error?.code && r.error.code in ERROR_CATALOGUE
              ? (r.error.code as ErrorCode)
              : r.status === 'timeout'
                ? 'NRX_ERR_TIMEOUT'
                : 'NRX_ERR_RUNNER_FAILED';
          throw new NrxError(code, r.error?.message ?? `${device}: ${r.status}`, { details: { result: r.result } });
        }
        return r.result;
      },
      { concurrency: Number(params.concurrency ?? 20), signal: ctx.signal },
    );
    const { ok, failed } = summarise(outcomes);
    const result = {
      on,
      ok,
      failed,
      devices: outcomes.map((o) => (o.ok ? { device: o.device, ok: true, result: o.value } : { device: o.device, ok: false, error: o.error })),
    };
    return failed === 0
      ? { status: 'succeeded', result }
      : {
          status: 'failed',
          result,
          error: {
            code: 'NRX_ERR_RUNNER_FAILED',
            message: `${failed} of ${devices.length} devices failed: ${outcomes
              .filter((o) => !o.ok)
              .slice(0, 3)
              .map((o) => o.device)
              .join(', ')}${failed > 3 ? ', ...' : ''}`,
          },
        };
  }
}
