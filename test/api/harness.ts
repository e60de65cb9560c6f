import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { ApiStream } from '../../src/api/stream.js';
import { Appliance } from '../../src/appliance.js';
import { AuthService } from '../../src/auth/auth-service.js';
import type { Grants, Role } from '../../src/auth/roles.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { CredentialStore } from '../../src/datastore/credentials.js';
import { KeyValueStore } from '../../src/datastore/keyvalue.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

export const FIXTURE_PACKS = path.resolve('test/fixtures/packs');

export interface Harness {
  app: FastifyInstance;
  appliance: Appliance;
  auth: AuthService;
  inventory: InventoryService;
  kv: KeyValueStore;
  stream: ApiStream;
  dataDir: string;
  /** API keys per role (user names: admin, operator, observer). */
  keys: Record<Role, string>;
  /** Header object for a role, or none for anonymous. */
  as(role: Role | 'anonymous'): Record<string, string>;
  /** An API key for a new user with these grants. */
  grantedKey(name: string, role: Role, grants: Grants): Promise<string>;
  close(): Promise<void>;
}

/** A real Appliance on a temp data dir with the fixture packs, the API on top, three users. */
export async function harness(opts: { packsDir?: string; reloadContent?: () => Promise<void> } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-api-'));
  const stream = new ApiStream();
  const appliance = new Appliance({
    config: loadConfig({ dataDir, packsPaths: [FIXTURE_PACKS] }, {}),
    log: silentLogger,
    inboxPollMs: 50,
    onExecutionUpdate: (r) => stream.executionUpdated(r),
  });
  await appliance.start();
  const store = appliance.store as SqliteStore;
  const auth = new AuthService(store);
  const inventory = new InventoryService(store);
  const kv = new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir));
  const credentials = new CredentialStore(kv);
  await inventory.putHost({ name: 'r1', hostname: '10.0.0.1', platform: 'frr', data: { site: 'dc1', role: 'leaf' } });
  await inventory.putHost({ name: 'r2', hostname: '10.0.0.2', platform: 'frr', data: { site: 'dc2', role: 'leaf' } });
  const app = await buildApp({ appliance, inventory, kv, credentials, auth, stream, ...opts });
  const keys = {} as Record<Role, string>;
  for (const role of ['admin', 'operator', 'observer'] as const) {
    // users are made directly (scrypt is slow on purpose); keys stand in for logins
    await auth.createUser({ name: role, password: `${role}-password`, role });
    keys[role] = (await auth.createApiKey({ user: role, role, grants: {} })).key;
  }
  return {
    app,
    appliance,
    auth,
    inventory,
    kv,
    stream,
    dataDir,
    keys,
    as: (role): Record<string, string> => (role === 'anonymous' ? {} : { 'x-api-key': keys[role] }),
    async grantedKey(name, role, grants) {
      await auth.createUser({ name, password: `${name}-password`, role, grants });
      return (await auth.createApiKey({ user: name, role, grants })).key;
    },
    async close() {
      await app.close();
      // leftovers of denied-caller samples (sleeps, waiting workflows) must not hold the process
      for (const rec of [...stream.liveExecutions()]) if (!rec.parentId) await appliance.engine.cancel(rec.id).catch(() => {});
      await appliance.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Parse a server-sent-events body into (event, data) pairs. */
export function parseSse(body: string): Array<{ event: string; data: unknown }> {
  const out: Array<{ event: string; data: unknown }> = [];
  for (const block of body.split('\n\n')) {
    const ev = /^event: (.*)$/m.exec(block);
    const data = /^data: (.*)$/m.exec(block);
    if (ev && data) out.push({ event: ev[1]!, data: JSON.parse(data[1]!) as unknown });
  }
  return out;
}
