import { NrxError } from '../../src/core/errors.js';
import { GETTER_NAMES, type GetterName } from '../contract/getters.js';
import type { ParseWarning } from '../parsing/warnings.js';
import { findPlatform, parseCommandOutput } from '../platforms/registry.js';
import { fanOut, type DeviceOutcome } from './fan-out.js';
import { sshDriverFactory, type DriverFactory } from './open.js';
import type { DeviceTarget } from './targets.js';
import { withDevice } from './with-device.js';

/**
 * `netreflex exec`: one show command or getter on many devices, the same whether the CLI runs it
 * on a data directory or the appliance runs it for the API. Every device gets an outcome.
 */

/** What one device gave back. */
export interface DeviceCommandResult {
  platform: string | null;
  kind: 'command' | 'getter';
  output?: string;
  model?: unknown;
  /** The getter asked for, or the one whose parser read the command's output. */
  getter?: string;
  /** Lines of the output the parser could not read, by line number (the rows it could are in model). */
  warnings?: ParseWarning[];
}

/** Where a device's SSH target comes from (InventoryDevices fits). */
export interface TargetSource {
  target(name: string): Promise<DeviceTarget>;
}

export interface DeviceCommandOptions {
  concurrency?: number;
  /** Per command, in milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutcome?(outcome: DeviceOutcome<DeviceCommandResult>, done: number, total: number): void;
  factory?: DriverFactory;
}

/** Getter names as people type them: bgp_neighbors, get_bgp_neighbors, getBgpNeighbors. */
export const GETTER_ALIASES: Readonly<Record<string, GetterName>> = Object.fromEntries(
  GETTER_NAMES.flatMap((g) => [
    [g, g],
    [`get_${g}`, g],
    [`get${g.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())}`, g],
  ]),
) as Record<string, GetterName>;

export function runOnDevices(
  source: TargetSource,
  names: readonly string[],
  what: string,
  opts: DeviceCommandOptions = {},
): Promise<DeviceOutcome<DeviceCommandResult>[]> {
  const getter = GETTER_ALIASES[what];
  const factory = opts.factory ?? sshDriverFactory;
  return fanOut<DeviceCommandResult>(
    names,
    async (name) => {
      const target = await source.target(name);
      if (opts.timeoutMs) target.commandTimeoutMs = opts.timeoutMs;
      return withDevice({ resolve: async () => target }, factory, name, opts.signal, async (driver) => {
        if (getter) return { platform: target.platform, kind: 'getter', getter, model: await driver.get(getter) };
        const [r] = await driver.send([what]);
        if (r!.failed) throw new NrxError('NRX_ERR_COMMAND_REJECTED', `${name}: '${what}' rejected: ${r!.failureReason ?? 'error'}`);
        return { platform: target.platform, kind: 'command', output: r!.output, ...parsed(target.platform, what, r!.output) };
      });
    },
    {
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
    },
  );
}

/** The parsed model of a command's output, when the platform has a parser for it. */
function parsed(platform: string, what: string, output: string): { model?: unknown; getter?: string; warnings?: ParseWarning[] } {
  if (!findPlatform(platform)) return {};
  try {
    const p = parseCommandOutput(platform, what, output);
    return { model: p.model, ...(p.getter ? { getter: p.getter } : {}), ...(p.warnings.length > 0 ? { warnings: p.warnings } : {}) };
  } catch {
    return {}; // no parser for this command: raw output only
  }
}

/** An outcome as plain JSON (the CLI's --json and the API's per-device message). */
export function plainOutcome(x: DeviceOutcome<DeviceCommandResult>): Record<string, unknown> {
  return x.ok
    ? { device: x.device, ok: true, elapsed_ms: Math.round(x.elapsedMs), ...x.value }
    : { device: x.device, ok: false, elapsed_ms: Math.round(x.elapsedMs), error: x.error };
}
