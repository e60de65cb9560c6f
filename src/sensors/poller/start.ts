import type { NrxError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { EventEnvelope } from '../../events/envelope.js';
import type { TriggerRegistry } from '../../events/trigger-registry.js';
import type { InventoryDevices } from '../../../drivers/access/device-resolver.js';
import type { InventoryService } from '../../inventory/inventory-service.js';
import { registerPollerTriggers } from './events.js';
import { loadPollerDefinitions, type PollerPack } from './loader.js';
import { Poller, type PollerDeps } from './poller.js';
import { inventoryReader, type DeviceReader } from './reader.js';

/** What the pollers need of the appliance (the Appliance class fits as it is). */
export interface PollerHost {
  content: { loaded: { packs: readonly PollerPack[] } };
  inventory: Pick<InventoryService, 'listHosts'>;
  devices: Pick<InventoryDevices, 'cliResolver' | 'connection'>;
  triggers: TriggerRegistry;
  emit(event: EventEnvelope): Promise<void>;
}

export interface RunningPollers {
  /** The pollers started (enabled definitions). */
  readonly pollers: readonly Poller[];
  /** Poller files that could not be loaded (each names file, line and field). */
  readonly errors: readonly NrxError[];
  /** Counters per poller, keyed `poller:<pack.name>`, for the metrics endpoint. */
  counters(): Record<string, Record<string, number>>;
  /** Read the pollers/*.yaml files again (after a pack install): every poller restarts from a new baseline. */
  reload(): Promise<void>;
  /** Every poller polls again now (devices were taken over), after its round in flight. */
  pollAgain(): void;
  stop(): Promise<void>;
}

export interface PollerOptions {
  reader?: DeviceReader;
  /** The devices this node polls (a cluster's rules nodes share them by partition); default all. */
  polledHere?: (device: string) => boolean;
}

/**
 * Start every enabled poller defined in the loaded packs. Registers network.poll_changed.
 * State (the last reading per device) lives in memory: after a restart the first round is
 * the baseline again.
 */
export function startPollers(appliance: PollerHost, log: Logger, opts: PollerOptions = {}): RunningPollers {
  registerPollerTriggers(appliance.triggers);
  const read = opts.reader ?? inventoryReader(appliance.devices);
  const deps: PollerDeps = {
    listDevices: async (filter) => (await appliance.inventory.listHosts(filter || undefined)).map((h) => ({ name: h.name, platform: h.platform })),
    read,
    emit: (e) => appliance.emit(e),
    log,
    ...(opts.polledHere ? { polledHere: opts.polledHere } : {}),
  };
  let pollers: Poller[] = [];
  let errors: NrxError[] = [];

  const begin = (): void => {
    const loaded = loadPollerDefinitions(appliance.content.loaded.packs);
    errors = loaded.errors;
    for (const e of errors) log.warn({ code: e.code, ...e.location }, `poller not loaded: ${e.message}`);
    pollers = loaded.definitions.filter((d) => d.enabled).map((d) => new Poller(d, deps));
    for (const p of pollers) p.start();
    if (pollers.length) log.info({ pollers: pollers.map((p) => p.definition.ref) }, `${pollers.length} poller(s) started`);
  };
  const stopAll = async (): Promise<void> => {
    const running = pollers;
    pollers = [];
    await Promise.all(running.map((p) => p.stop()));
  };

  begin();
  return {
    get pollers() {
      return pollers;
    },
    get errors() {
      return errors;
    },
    counters: () => Object.fromEntries(pollers.map((p) => [`poller:${p.definition.ref}`, { ...p.counters.snapshot() }])),
    reload: async () => {
      await stopAll();
      begin();
    },
    pollAgain: () => pollers.forEach((p) => p.pollAgain()),
    stop: stopAll,
  };
}
