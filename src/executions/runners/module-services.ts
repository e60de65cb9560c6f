import type { CommandResult } from '../../../drivers/contract/cli.js';
import { sshDriverFactory, type DriverFactory } from '../../../drivers/access/open.js';
import type { CliResolver } from '../../../drivers/access/targets.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import type { KeyValueStore } from '../../datastore/keyvalue.js';
import type { TriggerInstanceRecord } from '../../store/records.js';
import type { DeviceSelector } from './fan-out-runner.js';

/**
 * What the appliance lends a module action (`ctx.services`): the data directory, the datastore
 * and the devices through the one device layer (inventory names, credentials, known hosts, the
 * session pool). Pack code gets these instead of reaching into the appliance.
 */
export interface ModuleServices {
  /** The appliance's data directory (not `<dataDir>/packs/`: installed packs live there). */
  dataDir: string;
  kv: Pick<KeyValueStore, 'get' | 'list' | 'set' | 'delete' | 'setIfAbsent' | 'deleteIfValue'>;
  devices: DeviceCommands;
  /** The appliance's recent events, newest first (how often a fault happened lately: flap counts). */
  events: RecentEvents;
}

export interface RecentEvents {
  /** Up to `limit` (default 500) stored events of a type, newest first, duplicates included (they say `duplicateOf`). */
  recent(type: string, limit?: number): Promise<TriggerInstanceRecord[]>;
}

export interface DeviceCommands {
  /** Commands in order on one session (pooled when the appliance pools); a rejected command is a failed result, not an exception. */
  send(device: string, commands: string[], opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<CommandResult[]>;
  /** The inventory names an inventory filter selects. */
  select(filter: string): Promise<string[]>;
}

export interface ModuleServiceDeps {
  dataDir: string;
  kv: ModuleServices['kv'];
  cliDevices: CliResolver;
  selectDevices: DeviceSelector;
  /** The store's event listing; without it a module action sees no events. */
  listEvents?: (filter: { type: string; limit: number }) => Promise<TriggerInstanceRecord[]>;
}

export function moduleServices(deps: ModuleServiceDeps, factory: DriverFactory = sshDriverFactory): ModuleServices {
  return {
    dataDir: deps.dataDir,
    kv: deps.kv,
    devices: {
      send: (device, commands, opts = {}) =>
        withDevice(deps.cliDevices, factory, device, opts.signal, (d) => d.send(commands, opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {})),
      select: (filter) => deps.selectDevices(filter),
    },
    events: {
      recent: async (type, limit = 500) => (deps.listEvents ? deps.listEvents({ type, limit: Math.min(Math.max(1, limit), 5_000) }) : []),
    },
  };
}

/** What a pack's module action reads from its `ctx`: the run context, its pack's config and the services. */
export interface PackActionContext {
  executionId: string;
  signal: AbortSignal;
  log(line: string): void;
  /** The pack's config (`<data dir>/configs/<pack>.yaml`, values set through the API, schema defaults). */
  config: Record<string, unknown>;
  /** Fails with NRX_ERR_PACK_CONFIG_MISSING (pack, key, how to set it) for the first of `keys` without a value. */
  requireConfig(...keys: string[]): void;
  services: ModuleServices;
}
