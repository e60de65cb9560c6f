import { loadConfig, type ApplianceConfig } from '../core/config.js';
import { openApplianceStore } from '../store/open-store.js';
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
  return openApplianceStore(configFrom(opts).dataDir);
}

export { EXIT, exitCodeFor, reportError } from './exit-codes.js';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
