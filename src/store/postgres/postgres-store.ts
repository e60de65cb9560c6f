import pg from 'pg';
import { NrxError } from '../../core/errors.js';
import type {
  ControlRequestRecord,
  ExecutionRecord,
  KeyValueRecord,
  RuleEnforcementRecord,
  TaskRecord,
  TriggerInstanceRecord,
  WorkflowStateRecord,
} from '../records.js';
import * as rows from '../sqlite-rows.js';
import type {
  EnforcementFilter,
  EventFilter,
  ExecutionFilter,
  Leadership,
  PartitionLocks,
  PendingEventFeed,
  PruneReport,
  RetentionPolicy,
  Store,
  WriteOp,
} from '../store.js';
import { PgApiKeys, PgAudit, PgLoginTokens, PgUsers } from './auth.js';
import { connectionLost, PgConnection } from './connection.js';
import { PgInventory } from './inventory.js';
import { PgLeaderLock } from './leader-lock.js';
import { PgPartitionLocks } from './partition-locks.js';
import { PgKeyValues } from './key-values.js';
import { migratePg } from './migrations.js';
import { PgPendingEvents } from './pending-events.js';
import { prunePg } from './prune.js';
import { PgRuleOverrides } from './rule-overrides.js';
import { PgThrottleCounters } from './throttle-counters.js';
import { PgWorkQueue } from './work-queue.js';
import { writeScript, writeStatement, type WriteStatement } from './write-ops.js';

// BIGINT columns (epoch milliseconds, sequence numbers) as numbers: they stay far below 2^53
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type Query = (sql: string, args?: unknown[]) => Promise<pg.QueryResult>;

/** How long a write waits for a database that went away (a restart) before it fails. */
const WRITE_RETRY_MS = 30_000;

/**
 * Which of the other processes' changes a node follows besides the datastore and the inventory
 * (every node): `work` - executions waiting for a worker and device locks freed (worker nodes);
 * `executions` - every execution started or changed anywhere (API nodes, for their stream).
 * Each notification wakes every process that listens to its channel, so a node listens only to
 * what it acts on. Default: both.
 */
export interface StoreFollows {
  work?: boolean;
  executions?: boolean;
}

/** For the rest of the transaction: its executions are announced by this process (announceExecutionsBy), not by NOTIFY nrx_execution (migration 10). */
const QUIET_EXECUTIONS = "SELECT set_config('nrx.execution_notices', 'announced', true)";

/**
 * Open (creating the schema if needed) the store in the PostgreSQL database at `url`
 * (postgres://user[:password]@host[:port]/database). Several appliance processes may share it.
 */
export async function openPostgresStore(url: string, follows: StoreFollows = {}): Promise<PostgresStore> {
  const conn = new PgConnection(url);
  try {
    await migratePg(conn);
    const store = new PostgresStore(conn, url);
    await store.kv.loadAll();
    await store.inventory.refresh();
    await conn.listen(
      [
        'nrx_kv',
        'nrx_inventory',
        ...(follows.work !== false ? ['nrx_work', 'nrx_locks', 'nrx_slots', 'nrx_control'] : []),
        ...(follows.executions !== false ? ['nrx_execution'] : []),
      ],
      (channel, payload) => {
        if (channel === 'nrx_inventory') void store.inventory.refresh().catch(() => {});
        else if (channel === 'nrx_work' || channel === 'nrx_locks' || channel === 'nrx_slots' || channel === 'nrx_execution' || channel === 'nrx_control')
          store.workQueue.notified(channel, payload);
        else {
          const tab = payload.indexOf('\t');
          if (tab > 0) void store.kv.reload(payload.slice(0, tab), payload.slice(tab + 1)).catch(() => {});
        }
      },
      url,
      // changes made while the listening connection was down were not notified: read it all again
      () => void Promise.all([store.kv.loadAll(), store.inventory.refresh()]).catch(() => {}),
    );
    return store;
  } catch (e) {
    await conn.close().catch(() => {});
    if (e instanceof NrxError) throw e;
    throw new NrxError('NRX_ERR_STORE', `cannot open database ${conn.location}: ${(e as Error).message}`, { cause: e });
  }
}

/** The store on PostgreSQL: the same repositories, records and write batches as the SQLite store. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly isReadonly = false;
  readonly users: PgUsers;
  readonly apiKeys: PgApiKeys;
  readonly loginTokens: PgLoginTokens;
  readonly audit: PgAudit;
  readonly inventory: PgInventory;
  readonly ruleOverrides: PgRuleOverrides;
  readonly kv: PgKeyValues;
  readonly workQueue: PgWorkQueue;
  readonly throttleCounters: PgThrottleCounters;
  private pending: Array<{ batch: readonly WriteOp[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  /** The group commit in flight; the next one starts after it, so batches land in arrival order. */
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;

  constructor(
    private readonly conn: PgConnection,
    private readonly url: string,
  ) {
    this.users = new PgUsers(conn);
    this.apiKeys = new PgApiKeys(conn);
    this.loginTokens = new PgLoginTokens(conn);
    this.audit = new PgAudit(conn);
    this.inventory = new PgInventory(conn);
    this.ruleOverrides = new PgRuleOverrides(conn);
    // a node opened without following work or executions starts to when it watches them
    this.workQueue = new PgWorkQueue(conn, (channel) => void conn.alsoListen(channel).catch(() => {}));
    this.throttleCounters = new PgThrottleCounters(conn);
    this.kv = new PgKeyValues(
      conn,
      (batch) => this.commit(batch),
      () => this.drained(),
    );
  }

  get location(): string {
    return this.conn.location;
  }

  /** Resolves once every notification another process committed before this call has been applied to this handle's caches. */
  async caughtUp(): Promise<void> {
    await this.conn.caughtUp();
    await this.inventory.refresh();
  }

  /** Resolves once every batch committed before this call has landed. */
  private async drained(): Promise<void> {
    this.conn.guard();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.flushing;
  }

  /**
   * Resolves once the batch is committed. Batches arriving in the same event-loop turn share one
   * transaction, each in its own savepoint (all or nothing per batch), in arrival order.
   */
  commit(batch: WriteOp[]): Promise<void> {
    try {
      this.conn.guard();
    } catch (e) {
      return Promise.reject(e);
    }
    if (batch.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          const group = this.pending;
          this.pending = [];
          this.flushing = this.flushing.then(() => this.flush(group));
        });
      }
    });
  }

  private async flush(group: Array<{ batch: readonly WriteOp[]; resolve: () => void; reject: (e: unknown) => void }>): Promise<void> {
    let errors: unknown[] = [];
    // The server restarting (or the network to it down) for a few seconds is waited out: the
    // same group is written again on a new connection rather than failing every write in it.
    const giveUpAt = Date.now() + WRITE_RETRY_MS;
    for (;;) {
      errors = [];
      try {
        await this.writeGroup(group, errors);
        break;
      } catch (e) {
        if (!connectionLost(e) || this.conn.isClosed || Date.now() > giveUpAt) {
          for (const g of group) g.reject(e);
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    group.forEach((g, i) => {
      if (errors[i] !== undefined) return g.reject(errors[i]);
      this.kv.noteCommitted(g.batch);
      g.resolve();
    });
    if (this.workQueue.announcing) this.workQueue.committed(group.filter((_, i) => errors[i] === undefined).map((g) => g.batch));
  }

  private async writeGroup(group: Array<{ batch: readonly WriteOp[] }>, errors: unknown[]): Promise<void> {
    // the whole group in one round trip; when it fails nothing of it was applied, and the
    // statement-at-a-time way below (a savepoint per batch) tells which batch failed and why
    const script = writeScript(
      group.map((g) => g.batch),
      this.location,
    );
    if (script !== null)
      try {
        await this.conn.script(this.workQueue.announcing ? `${QUIET_EXECUTIONS};\n${script}` : script);
        return;
      } catch (e) {
        if (connectionLost(e)) throw e;
      }
    await this.conn.tx(async (q) => {
      if (this.workQueue.announcing) await q(QUIET_EXECUTIONS);
      if (group.length === 1) {
        // one batch: the transaction is the batch (a failure rolls it back and rejects it alone)
        const batch = group[0]!.batch;
        for (let i = 0; i < batch.length; i++) await this.apply(q, batch[i]!, i, batch.length);
        return;
      }
      for (const [gi, g] of group.entries()) {
        // a savepoint per batch (not released: COMMIT ends them all, one round trip saved per batch)
        await q(`SAVEPOINT b${gi}`);
        try {
          for (let i = 0; i < g.batch.length; i++) await this.apply(q, g.batch[i]!, i, g.batch.length);
        } catch (e) {
          // a lost connection fails the whole group (written again), not this batch alone
          if (connectionLost(e)) throw e;
          await q(`ROLLBACK TO SAVEPOINT b${gi}`);
          errors[gi] = e;
        }
      }
    });
  }

  private async apply(q: Query, w: WriteOp, i: number, n: number): Promise<void> {
    let st: WriteStatement;
    let changed: number;
    try {
      st = writeStatement(w, this.location);
      changed = (await q(st.sql, st.args)).rowCount ?? 0;
    } catch (e) {
      if (e instanceof NrxError) throw e;
      throw new NrxError(
        'NRX_ERR_STORE',
        `database ${this.location}: write ${i + 1} of ${n} (${String((w as { op?: unknown }).op)}) failed, batch not applied: ${(e as Error).message}`,
      );
    }
    if (st.unchanged && changed === 0) throw new NrxError(st.unchangedCode ?? 'NRX_ERR_STORE', st.unchanged);
  }

  private async select<R>(table: string, where: string[], args: unknown[], limit: number | undefined, map: (r: any) => R): Promise<R[]> {
    const lim = limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`;
    const sql = `SELECT * FROM ${table}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC${lim}`;
    return (await this.conn.query(sql, args)).rows.map(map);
  }

  async getTriggerInstance(id: string): Promise<TriggerInstanceRecord | null> {
    const r = (await this.conn.query('SELECT * FROM trigger_instances WHERE id = $1', [id])).rows[0];
    return r ? rows.triggerInstanceRecord(r as rows.TriggerInstanceRow) : null;
  }

  pendingEvents(opts: { settleMs?: number } = {}): PendingEventFeed {
    return new PgPendingEvents(this.conn, opts.settleMs ?? 0);
  }

  async listTriggerInstances(filter: EventFilter = {}): Promise<TriggerInstanceRecord[]> {
    if (filter.status && filter.status.length === 0) return [];
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.type !== undefined) (args.push(filter.type), where.push(`type = $${args.length}`));
    if (filter.duplicateOf !== undefined) (args.push(filter.duplicateOf), where.push(`duplicate_of = $${args.length}`));
    if (filter.status) (args.push(filter.status), where.push(`status = ANY($${args.length})`));
    if (filter.before !== undefined) (args.push(filter.before), where.push(`id < $${args.length}`));
    return this.select('trigger_instances', where, args, filter.limit, rows.triggerInstanceRecord);
  }

  async listEnforcements(filter: EnforcementFilter = {}): Promise<RuleEnforcementRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.ruleRef !== undefined) (args.push(filter.ruleRef), where.push(`rule_ref = $${args.length}`));
    if (filter.triggerInstanceId !== undefined) (args.push(filter.triggerInstanceId), where.push(`trigger_instance_id = $${args.length}`));
    if (filter.executionId !== undefined) (args.push(filter.executionId), where.push(`execution_id = $${args.length}`));
    if (filter.outcome !== undefined) (args.push(filter.outcome), where.push(`outcome = $${args.length}`));
    return this.select('rule_enforcements', where, args, filter.limit, rows.enforcementRecord);
  }

  async getExecution(id: string): Promise<ExecutionRecord | null> {
    const r = (await this.conn.query('SELECT * FROM executions WHERE id = $1', [id])).rows[0];
    return r ? rows.executionRecord(r as rows.ExecutionRow) : null;
  }

  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    if ((filter.status && filter.status.length === 0) || (filter.ids && filter.ids.length === 0)) return [];
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.ids) (args.push(filter.ids), where.push(`id = ANY($${args.length})`));
    if (filter.status) (args.push(filter.status), where.push(`status = ANY($${args.length})`));
    if (filter.action !== undefined) (args.push(filter.action), where.push(`action = $${args.length}`));
    if (filter.parentId === null) where.push('parent_id IS NULL');
    else if (filter.parentId !== undefined) (args.push(filter.parentId), where.push(`parent_id = $${args.length}`));
    if (filter.rootId !== undefined) (args.push(filter.rootId), where.push(`root_id = $${args.length}`));
    if (filter.before !== undefined) (args.push(filter.before), where.push(`id < $${args.length}`));
    return this.select('executions', where, args, filter.limit, rows.executionRecord);
  }

  async getWorkflowState(executionId: string): Promise<WorkflowStateRecord | null> {
    const r = (await this.conn.query('SELECT * FROM workflow_states WHERE execution_id = $1', [executionId])).rows[0];
    return r ? rows.workflowStateRecord(r as rows.WorkflowStateRow) : null;
  }

  async listWorkflowStates(): Promise<WorkflowStateRecord[]> {
    return (await this.conn.query('SELECT * FROM workflow_states ORDER BY execution_id')).rows.map((r) => rows.workflowStateRecord(r as rows.WorkflowStateRow));
  }

  async listTasks(workflowId: string): Promise<TaskRecord[]> {
    return (await this.conn.query('SELECT * FROM tasks WHERE workflow_id = $1 ORDER BY seq, id', [workflowId])).rows.map((r) =>
      rows.taskRecord(r as rows.TaskRow),
    );
  }

  async kvGet(scope: string, key: string): Promise<KeyValueRecord | null> {
    return this.kv.get(scope, key);
  }

  async kvList(scope: string, prefix?: string): Promise<KeyValueRecord[]> {
    return this.kv.list(scope, prefix);
  }

  async listControlRequests(): Promise<ControlRequestRecord[]> {
    return (await this.conn.query('SELECT * FROM control_requests ORDER BY id')).rows.map((r) =>
      rows.controlRequestRecord({ ...(r as rows.ControlRequestRow), id: Number(r.id) }),
    );
  }

  leadership(name: string): Leadership {
    return new PgLeaderLock(this.url, name);
  }

  partitionLocks(name: string): PartitionLocks {
    return new PgPartitionLocks(this.url, name);
  }

  async prune(policy: RetentionPolicy, now: Date = new Date()): Promise<PruneReport> {
    return prunePg(this.conn, policy, now);
  }

  async close(): Promise<void> {
    if (this.conn.isClosed) return;
    await this.drained().catch(() => {});
    await this.conn.close();
  }
}
