import { TERMINAL_STATUSES } from '../records.js';
import type {
  DeviceLockHolder,
  ExecutionAnnouncer,
  HeartbeatKey,
  OwnedExecution,
  SlotFull,
  SlotHolder,
  SlotWanted,
  WorkQueueRepository,
} from '../repositories/work-queue.js';
import * as rows from '../sqlite-rows.js';
import type { WriteOp } from '../store.js';
import type { PgConnection } from './connection.js';

const TERMINAL = [...TERMINAL_STATUSES];

type Row = rows.ExecutionRow & { sealed_parameters: string | null };

function owned(r: Row): OwnedExecution {
  return { record: rows.executionRecord(r), sealedParameters: r.sealed_parameters };
}

/** Serialises a node's own recovery with another node taking its work over: one transaction-scoped advisory lock per node name. */
const TAKEOVER_LOCK = "SELECT pg_advisory_xact_lock(hashtext('netreflex:takeover:' || $1))";

/**
 * Table executions (owner, sealed_parameters), device_locks (migration 6) and concurrency_slots
 * (migration 8) on PostgreSQL,
 * shared by every node. Claims are one UPDATE over a FOR UPDATE SKIP LOCKED subquery: workers
 * claiming at the same moment skip each other's rows instead of waiting for them.
 */
export class PgWorkQueue implements WorkQueueRepository {
  private readonly listeners: Array<(what: 'work' | 'locks' | 'slots', executionId: string) => void> = [];

  constructor(
    private readonly conn: PgConnection,
    /** Makes sure the store's listening client listens to a channel. */
    private readonly listen: (channel: string) => void = () => {},
  ) {}

  private readonly executionListeners: Array<(executionId: string) => void> = [];
  private readonly controlListeners: Array<() => void> = [];

  /** From the store's LISTEN client: nrx_work, nrx_locks, nrx_slots, nrx_execution and nrx_control notifications. */
  notified(channel: string, payload = ''): void {
    if (channel === 'nrx_execution') {
      for (const l of this.executionListeners) l(payload);
      return;
    }
    if (channel === 'nrx_control') {
      for (const l of this.controlListeners) l();
      return;
    }
    const what = channel === 'nrx_work' ? 'work' : channel === 'nrx_locks' ? 'locks' : channel === 'nrx_slots' ? 'slots' : null;
    if (what) for (const l of this.listeners) l(what, what === 'work' ? payload : '');
  }

  watch(onChange: (what: 'work' | 'locks' | 'slots', executionId: string) => void): void {
    this.listen('nrx_work');
    this.listen('nrx_locks');
    this.listen('nrx_slots');
    this.listeners.push(onChange);
  }

  watchExecutions(onChange: (executionId: string) => void): void {
    this.listen('nrx_execution');
    this.executionListeners.push(onChange);
  }

  /** Set by announceExecutionsBy: the writes of this process do not notify nrx_execution nor nrx_work. */
  private announce: ExecutionAnnouncer | null = null;

  announceExecutionsBy(announcer: ExecutionAnnouncer): boolean {
    this.announce = announcer;
    return true;
  }

  /** Whether the store's transactions are to keep nrx_execution quiet (see announceExecutionsBy). */
  get announcing(): boolean {
    return this.announce !== null;
  }

  /** A transaction of the store committed: the executions it wrote are announced. */
  committed(batches: ReadonlyArray<readonly WriteOp[]>): void {
    if (!this.announce) return;
    const ids: string[] = [];
    const waiting: string[] = [];
    for (const batch of batches)
      for (const w of batch) {
        if (w.op !== 'putExecution') continue;
        ids.push(w.value.id);
        const e = w.value;
        if (e.status === 'requested' && e.parentId === null && !e.owner) waiting.push(e.id);
      }
    if (ids.length === 0) return;
    try {
      // what waits first: a worker claims it while the followers read
      if (waiting.length) this.announce.waiting(waiting);
      this.announce.changed(ids);
    } catch {
      // the announcer (the bus) is down: the following nodes miss these changes, as they would a notification
    }
  }

  watchControlRequests(onAdded: () => void): boolean {
    this.listen('nrx_control');
    this.controlListeners.push(onAdded);
    return true;
  }

  async claim(node: string, max: number): Promise<OwnedExecution[]> {
    if (max <= 0) return [];
    const r = await this.conn.query<Row>(
      `UPDATE executions SET owner = $1 WHERE id IN (
         SELECT id FROM executions WHERE owner IS NULL AND parent_id IS NULL AND status = 'requested'
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [node, Math.floor(max)],
    );
    return r.rows.sort((a, b) => (a.id < b.id ? -1 : 1)).map(owned);
  }

  async claimOne(node: string, id: string): Promise<OwnedExecution | null> {
    const r = await this.conn.query<Row>(
      `UPDATE executions SET owner = $1 WHERE id = $2 AND owner IS NULL AND parent_id IS NULL AND status = 'requested' RETURNING *`,
      [node, id],
    );
    return r.rows[0] ? owned(r.rows[0]) : null;
  }

  async unfinishedOf(node: string, _heartbeat: HeartbeatKey): Promise<OwnedExecution[]> {
    // under the node's takeover lock: a node taking this one's work over either finished before
    // (the rows are no longer this node's) or waits and then sees this node's fresh heartbeat
    return this.conn.tx(async (q) => {
      await q(TAKEOVER_LOCK, [node]);
      const r = await q('SELECT * FROM executions WHERE owner = $1 AND NOT (status = ANY($2)) ORDER BY id', [node, TERMINAL]);
      return (r.rows as Row[]).map(owned);
    });
  }

  async ownersOtherThan(node: string): Promise<string[]> {
    const r = await this.conn.query<{ node: string }>(
      `SELECT DISTINCT owner AS node FROM executions WHERE owner IS NOT NULL AND owner <> $1 AND NOT (status = ANY($2))
       UNION SELECT node FROM device_locks WHERE node <> $1 ORDER BY node`,
      [node, TERMINAL],
    );
    return r.rows.map((x) => x.node);
  }

  async takeOver(dead: string, heartbeat: HeartbeatKey, node: string, now: Date): Promise<number> {
    return this.conn.tx(async (q) => {
      await q(TAKEOVER_LOCK, [dead]);
      const alive = await q('SELECT 1 FROM kv WHERE scope = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)', [
        heartbeat.scope,
        heartbeat.key,
        now.toISOString(),
      ]);
      if (alive.rows.length) return 0;
      const moved = await q('UPDATE executions SET owner = $1 WHERE owner = $2 AND NOT (status = ANY($3))', [node, dead, TERMINAL]);
      await q('UPDATE device_locks SET node = $1 WHERE node = $2', [node, dead]);
      await q('UPDATE concurrency_slots SET node = $1 WHERE node = $2', [node, dead]);
      return moved.rowCount ?? 0;
    });
  }

  async adoptOrphans(node: string): Promise<number> {
    return this.conn.tx(async (q) => {
      // one taker at a time, so that a workflow and its tasks go to the same node
      await q(TAKEOVER_LOCK, ['']);
      const moved = await q(
        `UPDATE executions SET owner = $1 WHERE owner IS NULL AND NOT (status = ANY($2)) AND NOT (parent_id IS NULL AND status = 'requested')`,
        [node, TERMINAL],
      );
      return moved.rowCount ?? 0;
    });
  }

  async lockDevices(keys: readonly string[], rootId: string, node: string, now: Date, tries = 3): Promise<DeviceLockHolder | null> {
    // always in the same order: two workflows asking for the same devices cannot deadlock
    const sorted = [...new Set(keys)].sort();
    const refused = await this.conn
      .tx(async (q) => {
        for (const key of sorted) {
          const took = await q(
            `INSERT INTO device_locks (lock_key, root_id, node, acquired_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (lock_key) DO UPDATE SET root_id = excluded.root_id, node = excluded.node, acquired_at = excluded.acquired_at
             WHERE device_locks.root_id = excluded.root_id
                OR NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = device_locks.root_id AND NOT (e.status = ANY($5)))`,
            [key, rootId, node, now.toISOString(), TERMINAL],
          );
          if ((took.rowCount ?? 0) === 0) throw new Refused(key);
        }
        return null;
      })
      .catch((e: unknown) => {
        const cause = (e as { cause?: unknown }).cause;
        if (e instanceof Refused) return e.key;
        if (cause instanceof Refused) return cause.key;
        throw e;
      });
    if (refused === null) return null;
    const r = await this.conn.query<{ lock_key: string; root_id: string; node: string }>(
      'SELECT lock_key, root_id, node FROM device_locks WHERE lock_key = $1',
      [refused],
    );
    const h = r.rows[0];
    if (h) return { key: h.lock_key, rootId: h.root_id, node: h.node };
    // freed between the refusal and this read: try again at once
    return tries > 1 ? this.lockDevices(keys, rootId, node, now, tries - 1) : { key: refused, rootId: '', node: '' };
  }

  async unlockDevices(keys: readonly string[], rootId: string): Promise<void> {
    if (keys.length) await this.conn.query('DELETE FROM device_locks WHERE lock_key = ANY($1) AND root_id = $2', [[...keys], rootId]);
  }

  async releaseLocksExcept(node: string, keep: ReadonlyArray<{ key: string; rootId: string }>): Promise<void> {
    const kept = new Set(keep.map((k) => `${k.key}\u0000${k.rootId}`));
    for (const l of await this.listDeviceLocks()) if (l.node === node && !kept.has(`${l.key}\u0000${l.rootId}`)) await this.unlockDevices([l.key], l.rootId);
  }

  async listDeviceLocks(): Promise<DeviceLockHolder[]> {
    const r = await this.conn.query<{ lock_key: string; root_id: string; node: string }>('SELECT lock_key, root_id, node FROM device_locks ORDER BY lock_key');
    return r.rows.map((x) => ({ key: x.lock_key, rootId: x.root_id, node: x.node }));
  }

  async takeSlots(slots: readonly SlotWanted[], executionId: string, node: string, now: Date): Promise<SlotFull | null> {
    // always in the same order: two executions wanting the same slots cannot deadlock
    const sorted = [...new Map(slots.map((s) => [s.key, s])).values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (!sorted.length) return null;
    const r = await this.conn.query<{ full_key: string | null; holders: number | null }>(
      'SELECT full_key, holders FROM nrx_slots_take($1, $2, $3, $4, $5, $6)',
      [sorted.map((s) => s.key), sorted.map((s) => s.threshold), executionId, node, now.toISOString(), TERMINAL],
    );
    const row = r.rows[0];
    return row?.full_key ? { key: row.full_key, holders: Number(row.holders) } : null;
  }

  async freeSlots(executionId: string): Promise<void> {
    await this.conn.query('DELETE FROM concurrency_slots WHERE execution_id = $1', [executionId]);
  }

  async listSlots(): Promise<SlotHolder[]> {
    const r = await this.conn.query<{ slot_key: string; execution_id: string; node: string }>(
      'SELECT slot_key, execution_id, node FROM concurrency_slots ORDER BY slot_key, execution_id',
    );
    return r.rows.map((x) => ({ key: x.slot_key, executionId: x.execution_id, node: x.node }));
  }
}

class Refused extends Error {
  constructor(readonly key: string) {
    super(`device lock ${key} is held`);
  }
}
