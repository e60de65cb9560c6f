import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { AuditLog } from '../auth/audit-log.js';
import { AuthService } from '../auth/auth-service.js';
import { NrxError } from '../core/errors.js';
import { SecretCipher } from '../datastore/cipher.js';
import { KeyValueStore } from '../datastore/keyvalue.js';
import { openApplianceStore } from '../store/open-store.js';
import { DATABASE_FILE } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { configFrom, type DataOptions } from './context.js';

/**
 * The data directory of an appliance that already exists, for the commands that work offline
 * on it (users, API keys, webhooks). Opening a store creates a database, so a mistyped
 * directory would silently become a new, empty appliance: refuse instead and say where we looked.
 */
export function openExistingDataDir(opts: DataOptions): { dataDir: string; store: Store } {
  const dataDir = configFrom(opts).dataDir;
  if (!existsSync(path.join(dataDir, DATABASE_FILE)))
    throw new NrxError(
      'NRX_ERR_USAGE',
      `no appliance database (${DATABASE_FILE}) in ${dataDir}: is it the appliance's data directory? \`netreflex serve --data-dir ${dataDir}\` creates one`,
    );
  return { dataDir, store: openApplianceStore(dataDir) };
}

/** Run `body` with the data directory's store open, closing it however the body ends. */
export async function withDataDir<T>(opts: DataOptions, body: (d: { dataDir: string; store: Store }) => Promise<T>): Promise<T> {
  const d = openExistingDataDir(opts);
  try {
    return await body(d);
  } finally {
    await d.store.close();
  }
}

export const authOf = (store: Store): AuthService => new AuthService(store);

function localAccount(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/**
 * A change made on the data directory goes past the API, but into its audit log all the same:
 * method CLI, the command as route, and the local account that ran it as the user.
 */
export async function auditOffline(store: Store, command: string, target: string, detail: unknown = null): Promise<void> {
  await new AuditLog(store.audit).record({
    time: new Date().toISOString(),
    user: `local:${localAccount()}`,
    role: null,
    method: 'CLI',
    route: `netreflex ${command}`,
    target,
    status: 200,
    sourceIp: null,
    detail,
  });
}

/** The datastore with its secrets key; the key file must exist already (the appliance made it). */
export function kvOf(dataDir: string, store: Store): KeyValueStore {
  return new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir));
}
