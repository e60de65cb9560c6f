import assert from 'node:assert/strict';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { placementOnSharedStore } from '../../src/executions/ownership.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

/**
 * One node of several on one store, in this process: an appliance (no rules) on its own handle of
 * the SQLite file in `dataDir`, placed as `name`, running executions or only recording them for the
 * workers. Started, with every pack of `packsPaths` loaded without an error.
 */
export async function sharedStoreNode(dataDir: string, packsPaths: string[], name: string, runsExecutions: boolean): Promise<Appliance> {
  const store = openSqliteStore(dataDir);
  const a = new Appliance({
    config: loadConfig({ dataDir, packsPaths }, {}),
    log: silentLogger,
    store,
    rules: false,
    placement: placementOnSharedStore({ node: name, runsExecutions, sealer: SecretCipher.loadOrCreate(dataDir), workQueue: store.workQueue }),
  });
  assert.deepEqual(
    a.content.errors.map((e) => e.message),
    [],
  );
  await a.start();
  return a;
}
