import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { sshDriverFactory, type DriverFactory } from '../../../drivers/access/open.js';
import type { CliResolver } from '../../../drivers/access/targets.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import { DEVICE_RUNNER_PARAMETERS, deviceParam, infrastructureFailure, stringList } from './cli-device.js';
import { wantsTextfsm, withTextfsmRecords } from './cli-textfsm.js';

export const CLI_RUNNER: RunnerDeclaration = { runnerType: 'cli', aliases: [], parameters: DEVICE_RUNNER_PARAMETERS.cli! };

/**
 * `cli`: show commands (or any commands) on one device over one session. A command the device
 * rejects makes the action fail with every result kept; auth, timeout or host key problems fail
 * it with that error's code. `parse: textfsm` adds each output's TextFSM records.
 */
export class CliRunner implements Runner {
  readonly runnerType = CLI_RUNNER.runnerType;
  readonly aliases = CLI_RUNNER.aliases;
  readonly parameters = CLI_RUNNER.parameters;
  constructor(
    private readonly resolver: CliResolver,
    private readonly factory: DriverFactory = sshDriverFactory,
  ) {}

  async run(_action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    let device = '';
    try {
      device = deviceParam(params);
      const commands = stringList(params, 'commands', 'command');
      const timeoutMs = typeof params.command_timeout === 'number' ? params.command_timeout * 1000 : undefined;
      const textfsm = wantsTextfsm(params);
      let platform = '';
      const results = await withDevice(this.resolver, this.factory, device, ctx.signal, (d) => {
        platform = d.platform;
        return d.send(commands, { stopOnFailure: params.stop_on_failure === true, ...(timeoutMs ? { timeoutMs } : {}) });
      });
      for (const r of results) ctx.log(`${device}: ${r.command}: ${r.failed ? `rejected: ${r.failureReason}` : 'ok'} (${r.elapsedMs} ms)`);
      const rejected = results.find((r) => r.failed);
      const result = { device, results };
      if (rejected)
        return {
          status: 'failed',
          result,
          error: { code: 'NRX_ERR_COMMAND_REJECTED', message: `device ${device} rejected '${rejected.command}': ${rejected.failureReason}` },
        };
      return textfsm ? withTextfsmRecords(device, platform, results, params, ctx) : { status: 'succeeded', result };
    } catch (e) {
      return infrastructureFailure(e, ctx, device);
    }
  }
}
