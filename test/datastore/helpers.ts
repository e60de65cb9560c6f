import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { KeyValueStore } from '../../src/datastore/keyvalue.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

export function tempDataDir(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'nrx-datastore-')), 'data');
}

export interface Datastore {
  dir: string;
  store: SqliteStore;
  cipher: SecretCipher;
  kv: KeyValueStore;
}

/** A fresh data directory with a store, a key and a datastore; closes the store afterwards. */
export async function withDatastore(fn: (d: Datastore) => Promise<void>): Promise<void> {
  const dir = tempDataDir();
  const store = openSqliteStore(dir);
  const cipher = SecretCipher.loadOrCreate(dir);
  try {
    await fn({ dir, store, cipher, kv: new KeyValueStore(store, cipher) });
  } finally {
    await store.close();
  }
}

export function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}
