import { GETTER_NAMES, type GetterName } from '../../../drivers/contract/getters.js';
import { NrxError } from '../../core/errors.js';
import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { sshDriverFactory, type DriverFactory } from '../../../drivers/access/open.js';
import type { CliResolver } from '../../../drivers/access/targets.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import { DEVICE_RUNNER_PARAMETERS, deviceParam, infrastructureFailure } from './cli-device.js';

export const GETTER_RUNNER: RunnerDeclaration = { runnerType: 'getter', aliases: [], parameters: DEVICE_RUNNER_PARAMETERS.getter! };

/** `getter`: one vendor-neutral model from a device (`bgp_neighbors`, `interfaces`...). */
export class GetterRunner implements Runner {
  readonly runnerType = GETTER_RUNNER.runnerType;
  readonly aliases = GETTER_RUNNER.aliases;
  readonly parameters = GETTER_RUNNER.parameters;
  constructor(
    private readonly resolver: CliResolver,
    private readonly factory: DriverFactory = sshDriverFactory,
  ) {}

  async run(_action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    let device = '';
    try {
      device = deviceParam(params);
      const getter = params.getter;
      if (typeof getter !== 'string' || !(GETTER_NAMES as readonly string[]).includes(getter)) {
        throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'getter' must be one of ${GETTER_NAMES.join(', ')}, got ${JSON.stringify(getter)}`);
      }
      const model = await withDevice(this.resolver, this.factory, device, ctx.signal, (d) => d.get(getter as GetterName));
      ctx.log(`${device}: ${getter} read`);
      return { status: 'succeeded', result: { device, getter, ...model } };
    } catch (e) {
      return infrastructureFailure(e, ctx, device);
    }
  }
}
