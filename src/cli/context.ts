import { loadConfig, type ApplianceConfig } from '../core/config.js';
import { NrxError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';

/** Options every command that touches the data directory takes. */
export interface DataOptions {
  dataDir?: string;
  packsPath?: string[];
}

export function configFrom(opts: DataOptions): ApplianceConfig {
  return loadConfig({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), ...(opts.packsPath ? { packsPaths: opts.packsPath } : {}) });
}

export function openStore(opts: DataOptions): Store {
  return openSqliteStore(configFrom(opts).dataDir);
}

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Print an error the way operators read it: code, then the message naming file/line/field. */
export function reportError(e: unknown): number {
  if (e instanceof NrxError) {
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    return e.code === 'NRX_ERR_USAGE' || e.code === 'NRX_ERR_PARAM_INVALID' || e.code === 'NRX_ERR_ACTION_NOT_FOUND' || e.status === 400 || e.status === 404 ? EXIT.usage : EXIT.failed;
  }
  process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
  return EXIT.failed;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
