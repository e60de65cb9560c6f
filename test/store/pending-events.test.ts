import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { triggerInstance } from './make-records.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function store(dir = mkdtempSync(path.join(tmpdir(), 'nrx-pending-'))): SqliteStore {
  if (!dirs.includes(dir)) dirs.push(dir);
  const s = openSqliteStore(dir);
  stores.push(s);
  return s;
}

const ids = (rows: Array<{ id: string }>): string[] => rows.map((r) => r.id);

describe('PendingEventCursor', () => {
  test('each pending row is handed out once, in the order it was written, whatever its id', () => {
    const s = store();
    const cursor = s.pendingEventCursor();
    // a CLI process may commit an id minted earlier than the appliance's newest one
    s.commitSync([{ op: 'putTriggerInstance', value: triggerInstance('b') }]);
    s.commitSync([{ op: 'putTriggerInstance', value: triggerInstance('a') }]);
    s.commitSync([{ op: 'putTriggerInstance', value: triggerInstance('c', { status: 'processed' }) }]);
    assert.deepEqual(ids(cursor.next()), ['b', 'a']);
    assert.deepEqual(cursor.next(), []);
    s.commitSync([{ op: 'putTriggerInstance', value: triggerInstance('0-older-id') }]);
    assert.deepEqual(ids(cursor.next()), ['0-older-id']);
  });

  test('looks at most maxRows rows per call and carries on where it stopped', () => {
    const s = store();
    const cursor = s.pendingEventCursor();
    s.commitSync(
      Array.from({ length: 25 }, (_, i) => ({
        op: 'putTriggerInstance' as const,
        value: triggerInstance(`e${String(i).padStart(2, '0')}`, { status: i % 5 === 0 ? 'processed' : 'pending' }),
      })),
    );
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(...ids(cursor.next(10)));
    assert.equal(seen.length, 20);
    assert.equal(new Set(seen).size, 20);
    assert.deepEqual(cursor.next(10), []);
  });

  test('rows another connection (a CLI process) writes are seen', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-pending-'));
    const appliance = store(dir);
    const cli = store(dir);
    const cursor = appliance.pendingEventCursor();
    assert.deepEqual(cursor.next(), []);
    cli.commitSync([{ op: 'putTriggerInstance', value: triggerInstance('from-cli') }]);
    assert.deepEqual(ids(cursor.next()), ['from-cli']);
  });

  test('recover() hands out every row still pending first (id order, status index), then only newer rows', () => {
    const s = store();
    s.commitSync([
      { op: 'putTriggerInstance', value: triggerInstance('p2') },
      { op: 'putTriggerInstance', value: triggerInstance('done', { status: 'processed' }) },
      { op: 'putTriggerInstance', value: triggerInstance('p1') },
      { op: 'putTriggerInstance', value: triggerInstance('p3') },
    ]);
    const cursor = s.pendingEventCursor();
    assert.equal(cursor.recover(), 3);
    s.commitSync([{ op: 'putTriggerInstance', value: triggerInstance('new') }]);
    assert.deepEqual(ids(cursor.next(2)), ['p1', 'p2']);
    assert.deepEqual(ids(cursor.next(2)), ['p3']);
    assert.deepEqual(ids(cursor.next(2)), ['new']);
    assert.deepEqual(cursor.next(2), []);
  });

  test('when every row was deleted and rowids start over, the cursor starts over too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-pending-'));
    const s = store(dir);
    const cursor = s.pendingEventCursor();
    s.commitSync(Array.from({ length: 5 }, (_, i) => ({ op: 'putTriggerInstance' as const, value: triggerInstance(`old${i}`) })));
    assert.equal(cursor.next().length, 5);
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw.prepare('DELETE FROM trigger_instances').run(); // what prune does to a quiet table
    raw.close();
    // more rows than before the delete: rowids 1-8, past the old cursor (5)
    s.commitSync(Array.from({ length: 8 }, (_, i) => ({ op: 'putTriggerInstance' as const, value: triggerInstance(`new${i}`) })));
    assert.deepEqual(
      ids(cursor.next()),
      Array.from({ length: 8 }, (_, i) => `new${i}`),
    );
    assert.deepEqual(cursor.next(), []);
  });
});
