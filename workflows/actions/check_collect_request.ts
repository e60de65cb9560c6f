import { NrxError } from '../../src/core/errors.js';
import type { PackActionContext } from '../../src/executions/runners/module-services.js';
import { DEFAULT_MAX_COMMANDS, readOnlyCommands } from './lib/read-only-commands.js';

/** An inventory name as the inventory writes them; no glob or filter characters, so it selects itself only. */
const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export interface CheckedRequest {
  device: string;
  commands: string[];
}

/** Refuse a collection request a device should never see; the commands are checked before the inventory is asked. */
export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<CheckedRequest> {
  const max = typeof params.max_commands === 'number' ? params.max_commands : DEFAULT_MAX_COMMANDS;
  const commands = readOnlyCommands(params.commands, max);
  const device = typeof params.device === 'string' ? params.device.trim() : '';
  if (device === '') throw new NrxError('NRX_ERR_PARAM_INVALID', 'host: name the inventory device to collect from', { location: { field: 'host' } });
  const shown = JSON.stringify(device.length > 64 ? `${device.slice(0, 64)}…` : device);
  if (!DEVICE_NAME.test(device) || !(await ctx.services.devices.select(`name="${device}"`)).includes(device))
    throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `host ${shown} is not a device in the inventory`, { location: { field: 'host' } });
  ctx.log(`${device}: ${commands.length} show command${commands.length === 1 ? '' : 's'} accepted`);
  return { device, commands };
}
