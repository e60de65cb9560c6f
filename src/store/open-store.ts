import { NrxError } from '../core/errors.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import type { StoreFollows } from './postgres/postgres-store.js';

/**
 * The store of a data directory: the one place that picks a backend. Callers get a Store and
 * its repositories, never a connection. The embedded default: SQLite in <dataDir>/netreflex.db.
 */
export function openApplianceStore(dataDir: string): Store {
  return openSqliteStore(dataDir);
}

/**
 * `serve --store`: a PostgreSQL URL (postgres://user[:password]@host[:port]/database) opens the
 * shared PostgreSQL store; empty or `sqlite` the data directory's SQLite database. `follows`:
 * which other processes' changes a node of a cluster hears of (StoreFollows; default all).
 */
export async function openStore(location: string | undefined, dataDir: string, follows: StoreFollows = {}): Promise<Store> {
  const where = (location ?? '').trim();
  if (where === '' || where === 'sqlite') return openApplianceStore(dataDir);
  // loaded only when asked for: every CLI command opens a store, and most never need pg
  if (/^postgres(ql)?:\/\//.test(where)) return (await import('./postgres/postgres-store.js')).openPostgresStore(where, follows);
  throw new NrxError('NRX_ERR_VALIDATION', `--store ${where.replace(/:[^:@/]*@/, ':***@')}: expected sqlite or a postgres://user@host:port/database URL`);
}

/** Whether `--store` names a store several nodes share (PostgreSQL); checked before anything is opened. */
export function isSharedStore(location: string | undefined): boolean {
  return /^postgres(ql)?:\/\//.test((location ?? '').trim());
}
