import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { sshDriverFactory, type DriverFactory } from '../../../drivers/access/open.js';
import type { CliResolver } from '../../../drivers/access/targets.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import { DEVICE_RUNNER_PARAMETERS, deviceParam, infrastructureFailure, stringList } from './cli-device.js';

export const CLI_CONFIG_RUNNER: RunnerDeclaration = { runnerType: 'cli-config', aliases: [], parameters: DEVICE_RUNNER_PARAMETERS['cli-config']! };

/**
 * `cli-config`: configuration lines on one device: config mode in and out, or load + commit on
 * platforms with a candidate (a rejected line discards the candidate there).
 */
export class CliConfigRunner implements Runner {
  readonly runnerType = CLI_CONFIG_RUNNER.runnerType;
  readonly aliases = CLI_CONFIG_RUNNER.aliases;
  readonly parameters = CLI_CONFIG_RUNNER.parameters;
  constructor(
    private readonly resolver: CliResolver,
    private readonly factory: DriverFactory = sshDriverFactory,
  ) {}

  async run(_action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    let device = '';
    try {
      device = deviceParam(params);
      const lines = stringList(params, 'lines', 'config');
      const outcome = await withDevice(this.resolver, this.factory, device, ctx.signal, (d) => d.configure(lines));
      const rejected = outcome.results.find((r) => r.failed);
      ctx.log(`${device}: ${outcome.results.length} config lines, ${rejected ? `rejected at '${rejected.command}'` : 'all accepted'}`);
      const result = { device, results: outcome.results };
      return rejected
        ? {
            status: 'failed',
            result,
            error: { code: 'NRX_ERR_COMMAND_REJECTED', message: `device ${device} rejected config line '${rejected.command}': ${rejected.failureReason}` },
          }
        : { status: 'succeeded', result };
    } catch (e) {
      return infrastructureFailure(e, ctx, device);
    }
  }
}
