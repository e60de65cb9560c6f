import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * The store of a data directory: the one place that picks a backend. Callers get a Store and
 * its repositories, never a connection, so a PostgreSQL backend is chosen here (from the
 * configuration) without editing them. Today: SQLite in <dataDir>/netreflex.db.
 */
export function openApplianceStore(dataDir: string): Store {
  return openSqliteStore(dataDir);
}
