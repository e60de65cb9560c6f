import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NrxError } from '../../src/core/errors.js';
import { DATABASE_FILE, openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { execution } from './make-records.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'nrx-store-'));
}

async function withStore(fn: (s: SqliteStore, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  const s = openSqliteStore(path.join(dir, 'data'));
  try {
    await fn(s, path.join(dir, 'data'));
  } finally {
    await s.close();
  }
}

function isStoreError(e: unknown): boolean {
  return e instanceof NrxError && e.code === 'NRX_ERR_STORE';
}

describe('opening the store', () => {
  test('creates a private data directory and a WAL database with NORMAL sync and a busy timeout', async () => {
    await withStore(async (s, dir) => {
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.ok(statSync(path.join(dir, DATABASE_FILE)).isFile());
      assert.deepEqual(s.settings(), { journalMode: 'wal', synchronous: 'NORMAL', busyTimeoutMs: 5000 });
      // WAL is a property of the file: a fresh, unrelated connection sees it too.
      const raw = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    });
  });

  test('synchronous FULL on request', async () => {
    const s = openSqliteStore(tempDir(), { synchronous: 'FULL' });
    assert.equal(s.settings().synchronous, 'FULL');
    await s.close();
  });

  test('a read-only handle on a directory without a database fails naming the file', () => {
    const dir = tempDir();
    assert.throws(
      () => openSqliteStore(dir, { readonly: true }),
      (e) => isStoreError(e) && (e as Error).message.includes(path.join(dir, DATABASE_FILE)),
    );
  });

  test('a closed store refuses work with NRX_ERR_STORE', async () => {
    const s = openSqliteStore(tempDir());
    await s.close();
    await s.close(); // twice is harmless
    await assert.rejects(s.getExecution('x'), isStoreError);
    await assert.rejects(s.commit([{ op: 'kvDelete', scope: 'a', key: 'b' }]), isStoreError);
  });
});

describe('sharing the file', () => {
  test("a second (read-only) handle sees the writer's commits; writes through it are refused", async () => {
    const dir = tempDir();
    const writer = openSqliteStore(dir);
    const reader = openSqliteStore(dir, { readonly: true });
    try {
      assert.equal(await reader.getExecution('ex1'), null);
      await writer.commit([{ op: 'putExecution', value: execution('ex1', { status: 'running' }) }]);
      assert.equal((await reader.getExecution('ex1'))!.status, 'running');
      await writer.commit([{ op: 'putExecution', value: execution('ex1', { status: 'succeeded' }) }]);
      assert.equal((await reader.getExecution('ex1'))!.status, 'succeeded');
      await assert.rejects(reader.commit([{ op: 'addControlRequest', executionId: 'ex1', control: 'cancel' }]), isStoreError);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('two read-write handles (appliance and CLI) both write; each sees the other', async () => {
    const dir = tempDir();
    const appliance = openSqliteStore(dir);
    const cli = openSqliteStore(dir);
    try {
      await appliance.commit([{ op: 'putExecution', value: execution('ex1', { status: 'running' }) }]);
      await cli.commit([{ op: 'addControlRequest', executionId: 'ex1', control: 'cancel' }]);
      assert.deepEqual(
        (await appliance.listControlRequests()).map((c) => c.op),
        ['cancel'],
      );
      assert.equal((await cli.getExecution('ex1'))!.status, 'running');
    } finally {
      await cli.close();
      await appliance.close();
    }
  });
});
