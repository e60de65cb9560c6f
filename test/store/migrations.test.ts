import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NrxError } from '../../src/core/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, type Migration } from '../../src/store/migrations.js';
import { DATABASE_FILE, openSqliteStore } from '../../src/store/sqlite-store.js';
import { execution } from './make-records.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'nrx-migrate-'));
}

function appliedVersions(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
  } finally {
    db.close();
  }
}

describe('schema migrations', () => {
  test('versions are 1..n without gaps, so "latest" is well defined', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
  });

  test('reopening is idempotent and keeps the data', async () => {
    const dir = tempDir();
    const first = openSqliteStore(dir);
    await first.commit([{ op: 'putExecution', value: execution('ex1') }]);
    await first.close();
    for (let i = 0; i < 3; i++) {
      const again = openSqliteStore(dir);
      assert.equal((await again.getExecution('ex1'))!.id, 'ex1');
      await again.close();
    }
    assert.deepEqual(
      appliedVersions(path.join(dir, DATABASE_FILE)),
      MIGRATIONS.map((m) => m.version),
    );
  });

  test('a database from a newer netreflex is refused, naming both versions', async () => {
    const dir = tempDir();
    await openSqliteStore(dir).close();
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2030-01-01T00:00:00Z')")
      .run(LATEST_SCHEMA_VERSION + 41);
    raw.close();
    const names = (e: unknown) =>
      e instanceof NrxError &&
      e.code === 'NRX_ERR_STORE' &&
      e.message.includes(`schema version ${LATEST_SCHEMA_VERSION + 41}`) &&
      e.message.includes(`up to ${LATEST_SCHEMA_VERSION}`);
    assert.throws(() => openSqliteStore(dir), names);
    assert.throws(() => openSqliteStore(dir, { readonly: true }), names);
  });

  test('a read-only handle on an older schema asks for a read-write open', () => {
    const dir = tempDir();
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    raw.close();
    assert.throws(
      () => openSqliteStore(dir, { readonly: true }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_STORE' && /schema version 0, expected/.test(e.message),
    );
  });

  test('migrations apply in order, and a failing one keeps the last good version', () => {
    const db = new Database(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'devices', sql: 'CREATE TABLE devices (name TEXT PRIMARY KEY)' },
      { version: 2, name: 'platform column', sql: 'ALTER TABLE devices ADD COLUMN platform TEXT' },
      { version: 3, name: 'broken', sql: 'CREATE TABLE lags (name TEXT); ALTER TABLE no_such_table ADD COLUMN x TEXT' },
    ];
    assert.throws(
      () => migrate(db, 'mem.db', steps),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_STORE' && e.message.includes('migration 3 (broken)'),
    );
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    assert.deepEqual(versions, [1, 2]);
    db.prepare("INSERT INTO devices (name, platform) VALUES ('leaf1', 'frr')").run();
    // The half-applied migration 3 left nothing behind.
    assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'lags'").get(), undefined);
    assert.deepEqual(migrate(db, 'mem.db', steps.slice(0, 2)), { from: 2, to: 2 });
    db.close();
  });
});
