import path from 'node:path';
import Database from 'better-sqlite3';
import { NrxError } from '../core/errors.js';
import { checkSchema, migrate } from './migrations.js';
import type {
  ControlRequestRecord,
  ExecutionRecord,
  KeyValueRecord,
  RuleEnforcementRecord,
  TaskRecord,
  TriggerInstanceRecord,
  WorkflowStateRecord,
} from './records.js';
import * as rows from './sqlite-rows.js';
import { pruneSqlite } from './sqlite-prune.js';
import { PendingEventCursor } from './pending-events.js';
import { createDatabaseFilePrivate, makeDataDirPrivate, makeDatabasePrivate } from './private-files.js';
import { SqliteApiKeys } from './sqlite/api-keys.js';
import { SqliteAudit } from './sqlite/audit.js';
import { SqliteConnection } from './sqlite/connection.js';
import { SqliteInventory } from './sqlite/inventory.js';
import { SqliteKeyValues } from './sqlite/key-values.js';
import { SqliteLoginTokens } from './sqlite/login-tokens.js';
import { SqliteRuleOverrides } from './sqlite/rule-overrides.js';
import { SqliteUsers } from './sqlite/users.js';
import { SqliteWorkQueue } from './sqlite/work-queue.js';
import type { EnforcementFilter, EventFilter, ExecutionFilter, PendingEventFeed, PruneReport, RetentionPolicy, Store, WriteOp } from './store.js';

export const DATABASE_FILE = 'netreflex.db';

export interface SqliteStoreOptions {
  /** NORMAL (default) survives a process crash (kill -9); FULL also survives power loss. */
  synchronous?: 'NORMAL' | 'FULL';
  /** A second handle for readers (CLI): no migrations, no writes. */
  readonly?: boolean;
}

/** Open (creating and migrating if needed) the store under `dataDir`. */
export function openSqliteStore(dataDir: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const file = path.join(dataDir, DATABASE_FILE);
  let db: Database.Database;
  try {
    if (!opts.readonly) {
      makeDataDirPrivate(dataDir);
      createDatabaseFilePrivate(file);
    }
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (e) {
    if (e instanceof NrxError) throw e;
    throw new NrxError('NRX_ERR_STORE', `cannot open database ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    // busy_timeout first: the CLI and the appliance share the file and either may hold the write lock.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = OFF');
    if (opts.readonly) {
      checkSchema(db, file);
    } else {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal')
        throw new NrxError('NRX_ERR_STORE', `database ${file}: cannot switch to WAL journal mode (got ${String(mode)})`);
      db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
      // A checkpoint syncs to disk; at the default (1000 pages) the workflow engine's small
      // commits checkpoint every ~100 commits. ~40 MB of WAL between checkpoints measured about
      // 1.5x the commit rate; journal_size_limit stops the WAL file staying at its high-water mark.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma('journal_size_limit = 67108864');
      migrate(db, file);
      makeDatabasePrivate(file);
    }
  } catch (e) {
    db.close();
    if (e instanceof NrxError) throw e;
    throw new NrxError('NRX_ERR_STORE', `cannot open database ${file}: ${(e as Error).message}`, { cause: e });
  }
  return new SqliteStore(db, file, opts.readonly ?? false);
}

/** SQLite "no limit". */
const ALL = -1;

/**
 * The embedded store: better-sqlite3 answers synchronously, so every read also has a `...Sync`
 * twin for callers on a hot path (the workflow engine); the async methods satisfy `Store`.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly users: SqliteUsers;
  readonly apiKeys: SqliteApiKeys;
  readonly loginTokens: SqliteLoginTokens;
  readonly audit: SqliteAudit;
  readonly inventory: SqliteInventory;
  readonly ruleOverrides: SqliteRuleOverrides;
  readonly kv: SqliteKeyValues;
  readonly workQueue: SqliteWorkQueue;
  private readonly conn: SqliteConnection;
  private readonly applyBatch: Database.Transaction<(batch: readonly WriteOp[]) => void>;
  /** Batches waiting for the next group commit. */
  private pending: Array<{ batch: readonly WriteOp[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;
  private readonly applyGroup: Database.Transaction<(group: Array<{ batch: readonly WriteOp[]; error?: unknown }>) => void>;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly isReadonly: boolean,
  ) {
    this.conn = new SqliteConnection(db, file, isReadonly);
    this.users = new SqliteUsers(this.conn);
    this.apiKeys = new SqliteApiKeys(this.conn);
    this.loginTokens = new SqliteLoginTokens(this.conn);
    this.audit = new SqliteAudit(this.conn);
    this.inventory = new SqliteInventory(this.conn);
    this.ruleOverrides = new SqliteRuleOverrides(this.conn);
    this.kv = new SqliteKeyValues(this.conn, (batch) => this.commit(batch));
    this.workQueue = new SqliteWorkQueue(this.conn);
    this.applyBatch = db.transaction((batch: readonly WriteOp[]) => {
      for (let i = 0; i < batch.length; i++) {
        try {
          this.apply(batch[i]!);
        } catch (e) {
          if (e instanceof NrxError) throw e;
          const what = (batch[i] as { op?: unknown } | undefined)?.op;
          throw new NrxError(
            'NRX_ERR_STORE',
            `database ${this.file}: write ${i + 1} of ${batch.length} (${String(what)}) failed, batch not applied: ${(e as Error).message}`,
            { cause: e },
          );
        }
      }
    });
    // Group commit: batches committed in the same turn of the event loop share one SQLite
    // transaction; each batch keeps its own all-or-nothing (a nested transaction is a SAVEPOINT).
    this.applyGroup = db.transaction((group: Array<{ batch: readonly WriteOp[]; error?: unknown }>) => {
      for (const g of group) {
        try {
          this.applyBatch(g.batch);
        } catch (e) {
          g.error = e;
        }
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    const items: Array<{ batch: readonly WriteOp[]; error?: unknown }> = group.map((g) => ({ batch: g.batch }));
    try {
      this.guard();
      this.applyGroup.immediate(items);
    } catch (e) {
      const err = e instanceof NrxError ? e : new NrxError('NRX_ERR_STORE', `database ${this.file}: commit failed: ${(e as Error).message}`, { cause: e });
      for (const g of group) g.reject(err);
      return;
    }
    group.forEach((g, i) => (items[i]!.error !== undefined ? g.reject(items[i]!.error) : g.resolve()));
  }

  /** Prepared statements are compiled once per distinct SQL text and reused. */
  private stmt(sql: string): Database.Statement {
    return this.conn.stmt(sql);
  }

  /** The database file: what error messages name. */
  get location(): string {
    return this.file;
  }

  private apply(w: WriteOp): void {
    switch (w.op) {
      case 'putTriggerInstance':
        this.stmt(rows.UPSERT.trigger_instances).run(rows.triggerInstanceRow(w.value));
        return;
      case 'addTriggerInstanceOccurrences':
        this.stmt('UPDATE trigger_instances SET occurrences = occurrences + ?, last_time = ? WHERE id = ?').run(w.count, w.lastTime, w.id);
        return;
      case 'setTriggerInstanceStatus':
        if (w.from !== undefined) {
          if (this.stmt('UPDATE trigger_instances SET status = ? WHERE id = ? AND status = ?').run(w.status, w.id, w.from).changes === 0)
            throw new NrxError(
              'NRX_ERR_STORE',
              `database ${this.file}: trigger instance ${w.id} is no longer ${w.from} (decided elsewhere): batch not applied`,
            );
        } else if (this.stmt('UPDATE trigger_instances SET status = ? WHERE id = ?').run(w.status, w.id).changes === 0) {
          throw new NrxError(
            'NRX_ERR_STORE',
            `database ${this.file}: cannot set status of trigger instance ${w.id}: no such trigger instance (batch not applied)`,
          );
        }
        return;
      case 'putEnforcement':
        this.stmt(rows.UPSERT.rule_enforcements).run(rows.enforcementRow(w.value));
        return;
      case 'putExecution':
        this.stmt(rows.UPSERT.executions).run(rows.executionRow(w.value));
        return;
      case 'sealExecutionParameters':
        this.stmt('UPDATE executions SET sealed_parameters = ? WHERE id = ?').run(w.sealed, w.id);
        return;
      case 'putWorkflowState':
        this.stmt(rows.UPSERT.workflow_states).run(rows.workflowStateRow(w.value));
        return;
      case 'deleteWorkflowState':
        this.stmt('DELETE FROM workflow_states WHERE execution_id = ?').run(w.executionId);
        return;
      case 'putTask':
        this.stmt(rows.UPSERT.tasks).run(rows.taskRow(w.value));
        return;
      case 'kvPut':
        this.stmt(rows.UPSERT.kv).run(rows.keyValueRow(w.value));
        return;
      case 'kvDelete':
        this.stmt('DELETE FROM kv WHERE scope = ? AND key = ?').run(w.scope, w.key);
        return;
      case 'addControlRequest':
        this.stmt('INSERT INTO control_requests (execution_id, op, created_at) VALUES (?, ?, ?)').run(w.executionId, w.control, new Date().toISOString());
        return;
      case 'assertOwner':
        if (!this.stmt('SELECT 1 FROM executions WHERE id = ? AND owner = ?').get(w.executionId, w.node))
          throw new NrxError('NRX_ERR_NOT_OWNER', `execution ${w.executionId} is no longer run by ${w.node}: another node took it over (batch not applied)`);
        return;
      case 'deleteControlRequest':
        this.stmt('DELETE FROM control_requests WHERE id = ?').run(w.id);
        return;
      default:
        throw new NrxError('NRX_ERR_STORE', `database ${this.file}: unknown write op '${String((w as { op?: unknown }).op)}' (batch not applied)`);
    }
  }

  /** What the connection actually runs with (for `doctor` output and tests). */
  settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; busyTimeoutMs: number } {
    this.guard();
    const sync = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: sync[Number(this.db.pragma('synchronous', { simple: true }))] ?? 'FULL',
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  private guard(): void {
    this.conn.guard();
  }

  /** Apply every write in one transaction; nothing is written if any write fails. */
  commitSync(batch: readonly WriteOp[]): void {
    this.guard();
    if (this.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${this.file} is open read-only; cannot commit`);
    if (batch.length === 0) return;
    if (this.pending.length) this.flush();
    try {
      // IMMEDIATE: take the write lock up front, so a competing writer waits in busy_timeout
      // instead of failing at lock upgrade.
      this.applyBatch.immediate(batch);
    } catch (e) {
      if (e instanceof NrxError) throw e;
      throw new NrxError('NRX_ERR_STORE', `database ${this.file}: commit failed: ${(e as Error).message}`, { cause: e });
    }
  }

  getTriggerInstanceSync(id: string): TriggerInstanceRecord | null {
    this.guard();
    const row = this.stmt('SELECT * FROM trigger_instances WHERE id = ?').get(id) as rows.TriggerInstanceRow | undefined;
    return row ? rows.triggerInstanceRecord(row) : null;
  }

  /** The SQLite feed of pending events, answering synchronously. */
  pendingEventCursor(): PendingEventCursor {
    return new PendingEventCursor(this.conn.handle());
  }

  pendingEvents(): PendingEventFeed {
    const cursor = this.pendingEventCursor();
    return { recover: async () => cursor.recover(), next: async (maxRows) => cursor.next(maxRows) };
  }

  listTriggerInstancesSync(filter: EventFilter = {}): TriggerInstanceRecord[] {
    this.guard();
    if (filter.status && filter.status.length === 0) return [];
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.type !== undefined) (where.push('type = ?'), args.push(filter.type));
    if (filter.duplicateOf !== undefined) (where.push('duplicate_of = ?'), args.push(filter.duplicateOf));
    if (filter.status) (where.push(`status IN (${filter.status.map(() => '?').join(', ')})`), args.push(...filter.status));
    if (filter.before !== undefined) (where.push('id < ?'), args.push(filter.before));
    const found = this.select('trigger_instances', where, 'id DESC', args, filter.limit) as rows.TriggerInstanceRow[];
    return found.map(rows.triggerInstanceRecord);
  }

  listEnforcementsSync(filter: EnforcementFilter = {}): RuleEnforcementRecord[] {
    this.guard();
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.ruleRef !== undefined) (where.push('rule_ref = ?'), args.push(filter.ruleRef));
    if (filter.triggerInstanceId !== undefined) (where.push('trigger_instance_id = ?'), args.push(filter.triggerInstanceId));
    if (filter.executionId !== undefined) (where.push('execution_id = ?'), args.push(filter.executionId));
    if (filter.outcome !== undefined) (where.push('outcome = ?'), args.push(filter.outcome));
    const found = this.select('rule_enforcements', where, 'id DESC', args, filter.limit) as rows.EnforcementRow[];
    return found.map(rows.enforcementRecord);
  }

  getExecutionSync(id: string): ExecutionRecord | null {
    this.guard();
    const row = this.stmt('SELECT * FROM executions WHERE id = ?').get(id) as rows.ExecutionRow | undefined;
    return row ? rows.executionRecord(row) : null;
  }

  listExecutionsSync(filter: ExecutionFilter = {}): ExecutionRecord[] {
    this.guard();
    if ((filter.status && filter.status.length === 0) || (filter.ids && filter.ids.length === 0)) return [];
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.ids) (where.push(`id IN (${filter.ids.map(() => '?').join(', ')})`), args.push(...filter.ids));
    if (filter.status) (where.push(`status IN (${filter.status.map(() => '?').join(', ')})`), args.push(...filter.status));
    if (filter.action !== undefined) (where.push('action = ?'), args.push(filter.action));
    if (filter.parentId === null) where.push('parent_id IS NULL');
    else if (filter.parentId !== undefined) (where.push('parent_id = ?'), args.push(filter.parentId));
    if (filter.rootId !== undefined) (where.push('root_id = ?'), args.push(filter.rootId));
    if (filter.before !== undefined) (where.push('id < ?'), args.push(filter.before));
    const found = this.select('executions', where, 'id DESC', args, filter.limit) as rows.ExecutionRow[];
    return found.map(rows.executionRecord);
  }

  getWorkflowStateSync(executionId: string): WorkflowStateRecord | null {
    this.guard();
    const row = this.stmt('SELECT * FROM workflow_states WHERE execution_id = ?').get(executionId) as rows.WorkflowStateRow | undefined;
    return row ? rows.workflowStateRecord(row) : null;
  }

  listWorkflowStatesSync(): WorkflowStateRecord[] {
    this.guard();
    return (this.stmt('SELECT * FROM workflow_states ORDER BY execution_id').all() as rows.WorkflowStateRow[]).map(rows.workflowStateRecord);
  }

  listTasksSync(workflowId: string): TaskRecord[] {
    this.guard();
    return (this.stmt('SELECT * FROM tasks WHERE workflow_id = ? ORDER BY seq, id').all(workflowId) as rows.TaskRow[]).map(rows.taskRecord);
  }

  /** Keys past their expires_at are gone for readers even before prune removes the row. */
  kvGetSync(scope: string, key: string, now: Date = new Date()): KeyValueRecord | null {
    return this.kv.peek(scope, key, now);
  }

  kvListSync(scope: string, prefix = '', now: Date = new Date()): KeyValueRecord[] {
    return this.kv.listNow(scope, prefix, now);
  }

  listControlRequestsSync(): ControlRequestRecord[] {
    this.guard();
    return (this.stmt('SELECT * FROM control_requests ORDER BY id').all() as rows.ControlRequestRow[]).map(rows.controlRequestRecord);
  }

  pruneSync(policy: RetentionPolicy, now: Date = new Date()): PruneReport {
    this.guard();
    if (this.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${this.file} is open read-only; cannot prune`);
    try {
      return pruneSqlite(this.conn.handle(), policy, now);
    } catch (e) {
      if (e instanceof NrxError) throw e;
      throw new NrxError('NRX_ERR_STORE', `database ${this.file}: prune failed: ${(e as Error).message}`, { cause: e });
    }
  }

  private select(table: string, where: string[], order: string, args: unknown[], limit: number | undefined): unknown[] {
    const sql = `SELECT * FROM ${table}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT ?`;
    return this.stmt(sql).all(...args, limit === undefined ? ALL : Math.max(0, Math.floor(limit)));
  }

  /**
   * Resolves once the batch is committed. Batches arriving in the same event-loop turn are
   * written in one transaction (group commit), in arrival order; each still applies all or
   * nothing.
   */
  commit(batch: WriteOp[]): Promise<void> {
    try {
      this.guard();
      if (this.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${this.file} is open read-only; cannot commit`);
    } catch (e) {
      return Promise.reject(e);
    }
    if (batch.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }
  async getTriggerInstance(id: string): Promise<TriggerInstanceRecord | null> {
    return this.getTriggerInstanceSync(id);
  }
  async listTriggerInstances(filter?: EventFilter): Promise<TriggerInstanceRecord[]> {
    return this.listTriggerInstancesSync(filter);
  }
  async listEnforcements(filter?: EnforcementFilter): Promise<RuleEnforcementRecord[]> {
    return this.listEnforcementsSync(filter);
  }
  async getExecution(id: string): Promise<ExecutionRecord | null> {
    return this.getExecutionSync(id);
  }
  async listExecutions(filter?: ExecutionFilter): Promise<ExecutionRecord[]> {
    return this.listExecutionsSync(filter);
  }
  async getWorkflowState(executionId: string): Promise<WorkflowStateRecord | null> {
    return this.getWorkflowStateSync(executionId);
  }
  async listWorkflowStates(): Promise<WorkflowStateRecord[]> {
    return this.listWorkflowStatesSync();
  }
  async listTasks(workflowId: string): Promise<TaskRecord[]> {
    return this.listTasksSync(workflowId);
  }
  async kvGet(scope: string, key: string): Promise<KeyValueRecord | null> {
    return this.kvGetSync(scope, key);
  }
  async kvList(scope: string, prefix?: string): Promise<KeyValueRecord[]> {
    return this.kvListSync(scope, prefix);
  }
  async listControlRequests(): Promise<ControlRequestRecord[]> {
    return this.listControlRequestsSync();
  }
  async prune(policy: RetentionPolicy, now?: Date): Promise<PruneReport> {
    return this.pruneSync(policy, now);
  }

  async close(): Promise<void> {
    if (this.conn.isClosed) return;
    this.flush();
    this.conn.close();
  }
}
