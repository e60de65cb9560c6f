// The repository contract (contract.ts) on the SQLite store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { storeContract } from './contract.js';

storeContract('SQLite', async () => {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'nrx-contract-')), 'data');
  return { store: openSqliteStore(dataDir), openAnother: async () => openSqliteStore(dataDir) };
});
