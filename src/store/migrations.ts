import type Database from 'better-sqlite3';
import { NrxError } from '../core/errors.js';

/**
 * Numbered schema migrations for the SQLite store. A migration is never edited once shipped:
 * a change is a new, higher version. Columns that queries filter or sort on are real columns;
 * the rest of a record is JSON text, so a record can grow without a migration.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE trigger_instances (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        time TEXT NOT NULL,
        source TEXT NOT NULL,
        device TEXT,
        trace_id TEXT NOT NULL,
        status TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX trigger_instances_type ON trigger_instances (type, id);
      CREATE INDEX trigger_instances_status ON trigger_instances (status, id);

      CREATE TABLE rule_enforcements (
        id TEXT PRIMARY KEY,
        rule_ref TEXT NOT NULL,
        trigger_instance_id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        execution_id TEXT,
        action_ref TEXT,
        reason TEXT,
        time TEXT NOT NULL
      );
      CREATE INDEX rule_enforcements_rule ON rule_enforcements (rule_ref, id);
      CREATE INDEX rule_enforcements_trigger ON rule_enforcements (trigger_instance_id);
      CREATE INDEX rule_enforcements_execution ON rule_enforcements (execution_id);

      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        runner TEXT NOT NULL,
        status TEXT NOT NULL,
        parent_id TEXT,
        root_id TEXT NOT NULL,
        task_name TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        parameters TEXT NOT NULL,
        result TEXT,
        error TEXT,
        context TEXT NOT NULL,
        log TEXT NOT NULL
      );
      CREATE INDEX executions_status ON executions (status, id);
      CREATE INDEX executions_action ON executions (action, id);
      CREATE INDEX executions_parent ON executions (parent_id, id);
      CREATE INDEX executions_root ON executions (root_id, id);

      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        task_key TEXT NOT NULL,
        task_name TEXT NOT NULL,
        item_index INTEGER,
        status TEXT NOT NULL,
        action_ref TEXT,
        execution_id TEXT,
        due_at INTEGER,
        seq INTEGER NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        result TEXT
      );
      CREATE INDEX tasks_workflow ON tasks (workflow_id, seq);

      CREATE TABLE workflow_states (
        execution_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE kv (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        secret INTEGER NOT NULL,
        expires_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE control_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id TEXT NOT NULL,
        op TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'api: users, API keys, tokens, audit log, API-managed rules and rule overrides',
    sql: `
      CREATE TABLE auth_users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        grants TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE auth_api_keys (
        id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        grants TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      );

      CREATE TABLE auth_tokens (
        token_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX auth_tokens_user ON auth_tokens (user_name);

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        user_name TEXT,
        role TEXT,
        method TEXT NOT NULL,
        route TEXT NOT NULL,
        target TEXT,
        status INTEGER NOT NULL,
        source_ip TEXT,
        detail TEXT
      );
      CREATE INDEX audit_log_user ON audit_log (user_name, id);

      CREATE TABLE api_rules (
        ref TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE rule_overrides (
        ref TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'inventory: hosts, groups, defaults',
    // seq keeps the order operators wrote hosts and groups in, so an export reads like the source.
    sql: `
      CREATE TABLE inventory_hosts (
        name TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE inventory_groups (
        name TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE inventory_defaults (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- Bumped by every inventory write, so a reader's cache notices another process's edit
      -- without re-reading every host whenever any table changes.
      CREATE TABLE inventory_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL
      );
      INSERT INTO inventory_generation (id, generation) VALUES (1, 0);
    `,
  },
  {
    version: 4,
    name: 'storm coalescing: occurrences and last time per event',
    sql: `
      ALTER TABLE trigger_instances ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE trigger_instances ADD COLUMN last_time TEXT;
    `,
  },
  {
    version: 5,
    name: 'cross-source correlation: an event stored as a duplicate of another',
    sql: `
      ALTER TABLE trigger_instances ADD COLUMN duplicate_of TEXT;
      CREATE INDEX trigger_instances_duplicate_of ON trigger_instances (duplicate_of) WHERE duplicate_of IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'workers: the node that runs each execution, sealed secret parameters, device locks across nodes',
    sql: `
      -- the worker node that runs the execution and its whole tree; NULL: nobody yet (or one process alone)
      ALTER TABLE executions ADD COLUMN owner TEXT;
      -- secret parameters encrypted with the data directory's key, for whichever worker runs it
      ALTER TABLE executions ADD COLUMN sealed_parameters TEXT;
      CREATE INDEX executions_unclaimed ON executions (id) WHERE owner IS NULL AND parent_id IS NULL AND status = 'requested';
      CREATE INDEX executions_owner ON executions (owner, status) WHERE owner IS NOT NULL;
      -- a device lock held by a workflow (its root execution) on a node
      CREATE TABLE device_locks (lock_key TEXT PRIMARY KEY, root_id TEXT NOT NULL, node TEXT NOT NULL, acquired_at TEXT NOT NULL);
      CREATE INDEX device_locks_node ON device_locks (node);
    `,
  },
  {
    version: 7,
    name: 'throttle counters shared by the rules nodes of a cluster',
    // Used by PostgreSQL only (several rules nodes count one throttle); one process alone keeps its
    // counters in memory (saved in the datastore). Here so both stores carry the same schema.
    sql: `
      CREATE TABLE throttle_counters (
        rule TEXT NOT NULL,
        key TEXT NOT NULL,
        per_ms INTEGER NOT NULL,
        -- the executions inside the window, oldest first: times (epoch ms) and their events' ids
        execution_times TEXT NOT NULL DEFAULT '[]',
        execution_events TEXT NOT NULL DEFAULT '[]',
        escalated_at INTEGER,
        escalated_event TEXT,
        -- the latest execution or escalation: the counter is dropped once its window has passed
        last_at INTEGER NOT NULL,
        PRIMARY KEY (rule, key)
      );
    `,
  },
  {
    version: 8,
    name: 'concurrency slots held across the worker nodes of a cluster',
    // Used by PostgreSQL only (several workers count one concurrency policy); one process alone
    // keeps its slots in memory. Here so both stores carry the same schema.
    sql: `
      -- an execution holding a slot of a concurrency policy (action.concurrency[.attr]) on a node
      CREATE TABLE concurrency_slots (
        slot_key TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        node TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        PRIMARY KEY (slot_key, execution_id)
      );
      CREATE INDEX concurrency_slots_execution ON concurrency_slots (execution_id);
      CREATE INDEX concurrency_slots_node ON concurrency_slots (node);
    `,
  },
  {
    version: 9,
    name: 'quieter notifications: no nrx_kv for node heartbeats, nrx_control for control requests, nrx_work names the execution',
    // PostgreSQL only (its notifications to the other processes of a cluster); SQLite has none.
    // Here so both stores carry the same version.
    sql: `SELECT 1;`,
  },
  {
    version: 10,
    name: 'executions announced over the event bus: no nrx_execution or nrx_work for writes that say so, no nrx_execution for a claim',
    // PostgreSQL only, like 9.
    sql: `SELECT 1;`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function currentVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function refuseNewer(version: number, file: string, latest = LATEST_SCHEMA_VERSION): void {
  if (version > latest) {
    throw new NrxError(
      'NRX_ERR_STORE',
      `database ${file} has schema version ${version}, this netreflex knows versions up to ${latest}: upgrade netreflex or use another data directory`,
      { details: { file, version, latest } },
    );
  }
}

/**
 * Bring the schema up to date. Runs under BEGIN IMMEDIATE so that two processes opening the
 * same fresh file at once do not both apply version 1: the second waits, then sees it applied.
 * Each migration is its own transaction, so a failure leaves the last good version in place.
 */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const from = currentVersion(db);
  refuseNewer(from, file, migrations.length ? migrations[migrations.length - 1]!.version : 0);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    const applyOne = db.transaction(() => {
      if (currentVersion(db) >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    });
    try {
      applyOne.immediate();
    } catch (e) {
      throw new NrxError('NRX_ERR_STORE', `database ${file}: migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
    }
  }
  return { from, to: currentVersion(db) };
}

/** For read-only handles: the schema must already be exactly what this code knows. */
export function checkSchema(db: Database.Database, file: string): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  const version = exists ? currentVersion(db) : 0;
  refuseNewer(version, file);
  if (version < LATEST_SCHEMA_VERSION) {
    throw new NrxError(
      'NRX_ERR_STORE',
      `database ${file} has schema version ${version}, expected ${LATEST_SCHEMA_VERSION}: open it once read-write (start the appliance) to migrate`,
      { details: { file, version, latest: LATEST_SCHEMA_VERSION } },
    );
  }
}
