import { NrxError } from '../../src/core/errors.js';
import type { GetterModels, GetterName } from '../contract/getters.js';
import { canonicalPlatform } from './aliases.js';
import { warningCollector, type ParseWarning } from '../parsing/warnings.js';
import { resolveCommand } from './command-patterns.js';
import type { Platform } from './platform.js';
import { arista_eos } from './arista_eos/index.js';
import { cisco_ios } from './cisco_ios/index.js';
import { cisco_iosxr } from './cisco_iosxr/index.js';
import { cisco_nxos } from './cisco_nxos/index.js';
import { frr } from './frr/index.js';
import { juniper_junos } from './juniper_junos/index.js';
import { linux_frr } from './linux_frr/index.js';
import { openvswitch } from './openvswitch/index.js';

/** Every shipped platform by its inventory name (Nornir/Netmiko spellings). */
const PLATFORMS = new Map<string, Platform>(
  [frr, cisco_ios, cisco_nxos, arista_eos, juniper_junos, cisco_iosxr, linux_frr, openvswitch].map((p) => [p.name, p]),
);

export function platformNames(): string[] {
  return [...PLATFORMS.keys()].sort();
}

export function findPlatform(name: string): Platform | undefined {
  return PLATFORMS.get(name) ?? PLATFORMS.get(canonicalPlatform(name));
}

/** Like findPlatform, but an unknown name is NRX_ERR_UNSUPPORTED listing the known ones. */
export function requirePlatform(name: string): Platform {
  const p = findPlatform(name);
  if (!p) throw new NrxError('NRX_ERR_UNSUPPORTED', `unknown platform '${name}' (known: ${platformNames().join(', ')})`);
  return p;
}

/**
 * Parse one command's output with the platform's parser (`netreflex parse`). The command is
 * matched as the device would (abbreviations, variants printing the same table); lines the
 * parser could not read come back as warnings beside the rows it could.
 */
export function parseCommandOutput(
  platformName: string,
  command: string,
  output: string,
): { getter: GetterName; model: GetterModels[GetterName]; command: string; warnings: ParseWarning[] } {
  const platform = requirePlatform(platformName);
  const resolved = resolveCommand(platform, command);
  const parser = platform.parsers[resolved.parser]!;
  const { warnings, warn } = warningCollector();
  return { getter: parser.getter, model: parser.parse(output, resolved.command, warn), command: resolved.command, warnings };
}

/** Build a getter's model from the outputs of its commands. Throws NRX_ERR_UNSUPPORTED when the platform lacks it. */
export function getterRecipe<G extends GetterName>(platform: Platform, getter: G): NonNullable<Platform['getters'][G]> {
  const recipe = platform.getters[getter];
  if (!recipe)
    throw new NrxError(
      'NRX_ERR_UNSUPPORTED',
      `platform ${platform.name} has no getter '${getter}' (it has: ${Object.keys(platform.getters).join(', ') || 'none'})`,
    );
  return recipe;
}
