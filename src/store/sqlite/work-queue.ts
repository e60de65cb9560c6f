import { TERMINAL_STATUSES } from '../records.js';
import type { DeviceLockHolder, HeartbeatKey, OwnedExecution, SlotFull, SlotHolder, SlotWanted, WorkQueueRepository } from '../repositories/work-queue.js';
import * as rows from '../sqlite-rows.js';
import type { SqliteConnection } from './connection.js';

const TERMINAL = [...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', ');

type Row = rows.ExecutionRow & { sealed_parameters: string | null };

function owned(r: Row): OwnedExecution {
  return { record: rows.executionRecord(r), sealedParameters: r.sealed_parameters };
}

/**
 * Table executions (owner, sealed_parameters), device_locks (migration 6) and concurrency_slots
 * (migration 8). One process owns
 * a SQLite file, so SQLite serialises every claim; the same calls as on PostgreSQL, for one
 * contract suite on both backends. Nobody else writes, so `watch` never calls back.
 */
export class SqliteWorkQueue implements WorkQueueRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async claim(node: string, max: number): Promise<OwnedExecution[]> {
    if (max <= 0) return [];
    const got = this.conn
      .stmt(
        `UPDATE executions SET owner = ? WHERE id IN (
           SELECT id FROM executions WHERE owner IS NULL AND parent_id IS NULL AND status = 'requested' ORDER BY id LIMIT ?)
         RETURNING *`,
      )
      .all(node, Math.floor(max)) as Row[];
    return got.sort((a, b) => (a.id < b.id ? -1 : 1)).map(owned);
  }

  async claimOne(node: string, id: string): Promise<OwnedExecution | null> {
    const r = this.conn
      .stmt(`UPDATE executions SET owner = ? WHERE id = ? AND owner IS NULL AND parent_id IS NULL AND status = 'requested' RETURNING *`)
      .get(node, id) as Row | undefined;
    return r ? owned(r) : null;
  }

  async unfinishedOf(node: string, _heartbeat: HeartbeatKey): Promise<OwnedExecution[]> {
    const got = this.conn.stmt(`SELECT * FROM executions WHERE owner = ? AND status NOT IN (${TERMINAL}) ORDER BY id`).all(node) as Row[];
    return got.map(owned);
  }

  async ownersOtherThan(node: string): Promise<string[]> {
    const got = this.conn
      .stmt(
        `SELECT DISTINCT owner AS node FROM executions WHERE owner IS NOT NULL AND owner <> ? AND status NOT IN (${TERMINAL})
         UNION SELECT node FROM device_locks WHERE node <> ? ORDER BY node`,
      )
      .all(node, node) as Array<{ node: string }>;
    return got.map((r) => r.node);
  }

  async takeOver(dead: string, heartbeat: HeartbeatKey, node: string, now: Date): Promise<number> {
    return this.conn.write(() => {
      const alive = this.conn
        .stmt('SELECT 1 FROM kv WHERE scope = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)')
        .get(heartbeat.scope, heartbeat.key, now.toISOString());
      if (alive) return 0;
      const moved = this.conn.stmt(`UPDATE executions SET owner = ? WHERE owner = ? AND status NOT IN (${TERMINAL})`).run(node, dead).changes;
      this.conn.stmt('UPDATE device_locks SET node = ? WHERE node = ?').run(node, dead);
      this.conn.stmt('UPDATE concurrency_slots SET node = ? WHERE node = ?').run(node, dead);
      return moved;
    });
  }

  async adoptOrphans(node: string): Promise<number> {
    return this.conn
      .stmt(`UPDATE executions SET owner = ? WHERE owner IS NULL AND status NOT IN (${TERMINAL}) AND NOT (parent_id IS NULL AND status = 'requested')`)
      .run(node).changes;
  }

  async lockDevices(keys: readonly string[], rootId: string, node: string, now: Date, tries = 3): Promise<DeviceLockHolder | null> {
    const sorted = [...new Set(keys)].sort();
    try {
      this.conn.write(() => {
        for (const key of sorted) {
          const took = this.conn
            .stmt(
              `INSERT INTO device_locks (lock_key, root_id, node, acquired_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (lock_key) DO UPDATE SET root_id = excluded.root_id, node = excluded.node, acquired_at = excluded.acquired_at
               WHERE device_locks.root_id = excluded.root_id
                  OR NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = device_locks.root_id AND e.status NOT IN (${TERMINAL}))`,
            )
            .run(key, rootId, node, now.toISOString()).changes;
          if (took === 0) throw new Refused(key);
        }
      });
      return null;
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      const r = this.conn.stmt('SELECT lock_key, root_id, node FROM device_locks WHERE lock_key = ?').get(e.key) as
        { lock_key: string; root_id: string; node: string } | undefined;
      if (r) return { key: r.lock_key, rootId: r.root_id, node: r.node };
      // freed between the refusal and this read: try again at once
      return tries > 1 ? this.lockDevices(keys, rootId, node, now, tries - 1) : { key: e.key, rootId: '', node: '' };
    }
  }

  async unlockDevices(keys: readonly string[], rootId: string): Promise<void> {
    for (const key of keys) this.conn.stmt('DELETE FROM device_locks WHERE lock_key = ? AND root_id = ?').run(key, rootId);
  }

  async releaseLocksExcept(node: string, keep: ReadonlyArray<{ key: string; rootId: string }>): Promise<void> {
    const kept = new Set(keep.map((k) => `${k.key}\u0000${k.rootId}`));
    for (const l of await this.listDeviceLocks()) if (l.node === node && !kept.has(`${l.key}\u0000${l.rootId}`)) await this.unlockDevices([l.key], l.rootId);
  }

  async listDeviceLocks(): Promise<DeviceLockHolder[]> {
    const got = this.conn.stmt('SELECT lock_key, root_id, node FROM device_locks ORDER BY lock_key').all() as Array<{
      lock_key: string;
      root_id: string;
      node: string;
    }>;
    return got.map((r) => ({ key: r.lock_key, rootId: r.root_id, node: r.node }));
  }

  async takeSlots(slots: readonly SlotWanted[], executionId: string, node: string, now: Date): Promise<SlotFull | null> {
    const wanted = [...new Map(slots.map((s) => [s.key, s])).values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return this.conn.write(() => {
      for (const { key, threshold } of wanted) {
        this.conn
          .stmt(
            `DELETE FROM concurrency_slots WHERE slot_key = ?
               AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = concurrency_slots.execution_id AND e.status NOT IN (${TERMINAL}))`,
          )
          .run(key);
        const { n } = this.conn.stmt('SELECT count(*) AS n FROM concurrency_slots WHERE slot_key = ? AND execution_id <> ?').get(key, executionId) as {
          n: number;
        };
        if (n >= threshold) return { key, holders: n };
      }
      for (const { key } of wanted)
        this.conn
          .stmt('INSERT INTO concurrency_slots (slot_key, execution_id, node, taken_at) VALUES (?, ?, ?, ?) ON CONFLICT (slot_key, execution_id) DO NOTHING')
          .run(key, executionId, node, now.toISOString());
      return null;
    });
  }

  async freeSlots(executionId: string): Promise<void> {
    this.conn.stmt('DELETE FROM concurrency_slots WHERE execution_id = ?').run(executionId);
  }

  async listSlots(): Promise<SlotHolder[]> {
    const got = this.conn.stmt('SELECT slot_key, execution_id, node FROM concurrency_slots ORDER BY slot_key, execution_id').all() as Array<{
      slot_key: string;
      execution_id: string;
      node: string;
    }>;
    return got.map((r) => ({ key: r.slot_key, executionId: r.execution_id, node: r.node }));
  }

  watch(_onChange: (what: 'work' | 'locks' | 'slots', executionId: string) => void): void {}

  watchExecutions(_onChange: (executionId: string) => void): void {}

  announceExecutionsBy(): boolean {
    return false;
  }

  watchControlRequests(_onAdded: () => void): boolean {
    return false;
  }
}

class Refused extends Error {
  constructor(readonly key: string) {
    super(`device lock ${key} is held`);
  }
}
