import { existsSync } from 'node:fs';
import path from 'node:path';
import { plainOutcome, runOnDevices } from '../../../drivers/access/device-command.js';
import { InventoryDevices, onHostKeyRecorded } from '../../../drivers/access/device-resolver.js';
import { NrxError } from '../../core/errors.js';
import { InventoryService } from '../../inventory/inventory-service.js';
import { YamlInventory } from '../../inventory/yaml-inventory.js';
import { DATABASE_FILE } from '../../store/sqlite-store.js';
import { configFrom, EXIT, type DataOptions } from '../context.js';
import { openCredentials } from './credential.js';
import { printOutcomes, progress, type ExecOutcome } from './exec-output.js';

export interface ExecLocalOptions extends DataOptions {
  on: string;
  json?: boolean;
  yaml?: boolean;
  raw?: boolean;
  inventory?: string;
  knownHosts?: string;
  trustNewHosts?: boolean;
}

/**
 * `exec` in this process on a data directory (--data-dir or NETREFLEX_DATA_DIR, no URL):
 * its inventory (or a YAML folder for this run only), credentials and known hosts. The data
 * directory must exist: exec reads it and never makes a new one.
 */
export async function execLocal(what: string, o: ExecLocalOptions, limits: { concurrency: number; timeoutMs: number }): Promise<number> {
  const { dataDir } = configFrom(o);
  if (!existsSync(path.join(dataDir, DATABASE_FILE)))
    throw new NrxError(
      'NRX_ERR_USAGE',
      `no data directory at ${dataDir} (no ${DATABASE_FILE}): exec reads the inventory, credentials and known hosts there and does not create one; ` +
        `\`netreflex serve --data-dir ${dataDir}\` makes it, or leave --data-dir/NETREFLEX_DATA_DIR unset to run through the appliance's API`,
    );
  const { store, credentials } = openCredentials(o);
  // trusting on first use is only as good as a look at what was trusted
  const stopAnnouncing = onHostKeyRecorded((k) =>
    process.stderr.write(`trusted new host key of ${k.device ?? k.name} (${k.name}): ${k.keyType} ${k.fingerprint}, added to ${k.file}\n`),
  );
  try {
    const inventory = o.inventory ? new YamlInventory(path.resolve(o.inventory)) : new InventoryService(store);
    const devices = new InventoryDevices(inventory, credentials, {
      knownHostsFile: o.knownHosts ?? path.join(dataDir, 'known_hosts'),
      hostKeyPolicy: o.trustNewHosts ? 'tofu' : 'strict',
    });
    const hosts = await inventory.listHosts(o.on);
    if (hosts.length === 0) throw noMatch(o.on, o.inventory ? `the inventory in ${path.resolve(o.inventory)}` : `the inventory of ${dataDir}`);
    if (o.inventory)
      process.stderr.write(
        `using the inventory in ${path.resolve(o.inventory)} for this run; the stored inventory is unchanged (inventory import --yaml imports it)\n`,
      );
    const show = progress();
    const outcomes = (
      await runOnDevices(
        devices,
        hosts.map((h) => h.name),
        what,
        { ...limits, onOutcome: (x, done, total) => show(plainOutcome(x) as unknown as ExecOutcome, done, total) },
      )
    ).map((x) => plainOutcome(x) as unknown as ExecOutcome);
    printOutcomes(what, outcomes, o);
    return outcomes.every((x) => x.ok) ? EXIT.ok : EXIT.failed;
  } finally {
    stopAnnouncing();
    await store.close();
  }
}

export function noMatch(filter: string, where: string): NrxError {
  return new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no device in ${where} matches --on ${JSON.stringify(filter)} (netreflex inventory ls lists them)`, {
    details: { filter },
  });
}
