import { NrxError } from '../../core/errors.js';
import { MIGRATIONS as SQLITE_MIGRATIONS, type Migration } from '../migrations.js';
import type { PgConnection } from './connection.js';

/**
 * The PostgreSQL schema: the same tables, columns and version numbers as the SQLite store's
 * migrations (src/store/migrations.ts), in PostgreSQL's words (BIGSERIAL, BIGINT for epoch
 * milliseconds), plus the notifications another process's cache listens to: nrx_inventory when
 * the inventory's generation moves, nrx_kv with "scope<TAB>key" when a key changes.
 */
const MIGRATION_TEXTS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE trigger_instances (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, time TEXT NOT NULL, source TEXT NOT NULL, device TEXT,
        trace_id TEXT NOT NULL, status TEXT NOT NULL, payload TEXT NOT NULL,
        -- insertion order for the inbox's feed (SQLite has its rowid)
        seq BIGSERIAL NOT NULL
      );
      CREATE INDEX trigger_instances_pending ON trigger_instances (seq) WHERE status = 'pending';
      CREATE INDEX trigger_instances_type ON trigger_instances (type, id);
      CREATE INDEX trigger_instances_status ON trigger_instances (status, id);
      CREATE TABLE rule_enforcements (
        id TEXT PRIMARY KEY, rule_ref TEXT NOT NULL, trigger_instance_id TEXT NOT NULL, trace_id TEXT NOT NULL,
        outcome TEXT NOT NULL, execution_id TEXT, action_ref TEXT, reason TEXT, time TEXT NOT NULL
      );
      CREATE INDEX rule_enforcements_rule ON rule_enforcements (rule_ref, id);
      CREATE INDEX rule_enforcements_trigger ON rule_enforcements (trigger_instance_id);
      CREATE INDEX rule_enforcements_execution ON rule_enforcements (execution_id);
      CREATE TABLE executions (
        id TEXT PRIMARY KEY, action TEXT NOT NULL, runner TEXT NOT NULL, status TEXT NOT NULL, parent_id TEXT,
        root_id TEXT NOT NULL, task_name TEXT, created_at TEXT NOT NULL, started_at TEXT, ended_at TEXT,
        parameters TEXT NOT NULL, result TEXT, error TEXT, context TEXT NOT NULL, log TEXT NOT NULL
      );
      CREATE INDEX executions_status ON executions (status, id);
      CREATE INDEX executions_action ON executions (action, id);
      CREATE INDEX executions_parent ON executions (parent_id, id);
      CREATE INDEX executions_root ON executions (root_id, id);
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY, workflow_id TEXT NOT NULL, task_key TEXT NOT NULL, task_name TEXT NOT NULL,
        item_index INTEGER, status TEXT NOT NULL, action_ref TEXT, execution_id TEXT, due_at BIGINT,
        seq BIGINT NOT NULL, started_at TEXT, ended_at TEXT, result TEXT
      );
      CREATE INDEX tasks_workflow ON tasks (workflow_id, seq);
      CREATE TABLE workflow_states (execution_id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE kv (
        scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, secret INTEGER NOT NULL, expires_at TEXT,
        updated_at TEXT NOT NULL, PRIMARY KEY (scope, key)
      );
      CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE control_requests (id BIGSERIAL PRIMARY KEY, execution_id TEXT NOT NULL, op TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE FUNCTION nrx_kv_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN PERFORM pg_notify('nrx_kv', OLD.scope || chr(9) || OLD.key);
        ELSE PERFORM pg_notify('nrx_kv', NEW.scope || chr(9) || NEW.key); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER kv_changed AFTER INSERT OR UPDATE OR DELETE ON kv FOR EACH ROW EXECUTE FUNCTION nrx_kv_changed();
    `,
  },
  {
    version: 2,
    name: 'api: users, API keys, tokens, audit log, API-managed rules and rule overrides',
    sql: `
      CREATE TABLE auth_users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, grants TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE auth_api_keys (
        id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, user_name TEXT NOT NULL, role TEXT NOT NULL,
        grants TEXT NOT NULL, description TEXT, created_at TEXT NOT NULL, last_used_at TEXT
      );
      CREATE TABLE auth_tokens (token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE INDEX auth_tokens_user ON auth_tokens (user_name);
      CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY, time TEXT NOT NULL, user_name TEXT, role TEXT, method TEXT NOT NULL, route TEXT NOT NULL,
        target TEXT, status INTEGER NOT NULL, source_ip TEXT, detail TEXT
      );
      CREATE INDEX audit_log_user ON audit_log (user_name, id);
      CREATE TABLE api_rules (ref TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE rule_overrides (ref TEXT PRIMARY KEY, enabled INTEGER NOT NULL, updated_at TEXT NOT NULL);
    `,
  },
  {
    version: 3,
    name: 'inventory: hosts, groups, defaults',
    sql: `
      CREATE TABLE inventory_hosts (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE inventory_groups (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE inventory_defaults (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE inventory_generation (id INTEGER PRIMARY KEY CHECK (id = 1), generation BIGINT NOT NULL);
      INSERT INTO inventory_generation (id, generation) VALUES (1, 0);
      CREATE FUNCTION nrx_inventory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_inventory', NEW.generation::text); RETURN NULL; END $$;
      CREATE TRIGGER inventory_changed AFTER UPDATE ON inventory_generation FOR EACH ROW EXECUTE FUNCTION nrx_inventory_changed();
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
      ALTER TABLE executions ADD COLUMN owner TEXT;
      ALTER TABLE executions ADD COLUMN sealed_parameters TEXT;
      CREATE INDEX executions_unclaimed ON executions (id) WHERE owner IS NULL AND parent_id IS NULL AND status = 'requested';
      CREATE INDEX executions_owner ON executions (owner, status) WHERE owner IS NOT NULL;
      CREATE TABLE device_locks (lock_key TEXT PRIMARY KEY, root_id TEXT NOT NULL, node TEXT NOT NULL, acquired_at TEXT NOT NULL);
      CREATE INDEX device_locks_node ON device_locks (node);
      -- workers wake at once: nrx_work when an execution waits for a worker, nrx_locks when a device lock is freed
      CREATE FUNCTION nrx_work_requested() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_work', ''); RETURN NULL; END $$;
      CREATE TRIGGER executions_requested AFTER INSERT ON executions FOR EACH ROW
        WHEN (NEW.owner IS NULL AND NEW.parent_id IS NULL AND NEW.status = 'requested') EXECUTE FUNCTION nrx_work_requested();
      CREATE FUNCTION nrx_lock_released() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_locks', OLD.lock_key); RETURN NULL; END $$;
      CREATE TRIGGER device_lock_released AFTER DELETE ON device_locks FOR EACH ROW EXECUTE FUNCTION nrx_lock_released();
      -- API nodes follow the executions other nodes run: nrx_execution with the id when its status changes
      CREATE FUNCTION nrx_execution_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_execution', NEW.id); RETURN NULL; END $$;
      CREATE TRIGGER execution_inserted AFTER INSERT ON executions FOR EACH ROW
        WHEN (NEW.owner IS NOT NULL) EXECUTE FUNCTION nrx_execution_changed();
      CREATE TRIGGER execution_changed AFTER UPDATE ON executions FOR EACH ROW
        WHEN (NEW.owner IS NOT NULL AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.owner IS DISTINCT FROM NEW.owner)) EXECUTE FUNCTION nrx_execution_changed();
    `,
  },
  {
    version: 7,
    name: 'throttle counters shared by the rules nodes of a cluster',
    // lower-case "text" below is not given COLLATE "C" (arrays and function arguments cannot carry one)
    sql: `
      CREATE TABLE throttle_counters (
        rule TEXT NOT NULL, key TEXT NOT NULL, per_ms BIGINT NOT NULL,
        -- the executions inside the window: times (epoch ms) and their events' ids, oldest first
        execution_times bigint[] NOT NULL DEFAULT '{}', execution_events text[] NOT NULL DEFAULT '{}',
        escalated_at BIGINT, escalated_event TEXT,
        -- the latest firing counted: the counter is dropped (prune) once its window has passed
        last_at BIGINT NOT NULL,
        PRIMARY KEY (rule, key)
      );
      -- One firing of a throttled rule, decided under the counter's row lock (held until the calling
      -- statement's transaction ends), the same way as the embedded ThrottleBook (src/rules/throttle.ts).
      -- An event counted already (decided again) gets the verdict it had.
      CREATE FUNCTION nrx_throttle_claim(p_rule text, p_key text, p_event text, p_now bigint, p_per_ms bigint, p_max integer, p_escalates boolean,
          OUT verdict text, OUT executions integer) LANGUAGE plpgsql AS $$
      DECLARE
        c throttle_counters%ROWTYPE;
        since bigint := p_now - p_per_ms;
        times bigint[];
        events text[];
      BEGIN
        INSERT INTO throttle_counters (rule, key, per_ms, last_at) VALUES (p_rule, p_key, p_per_ms, p_now)
          ON CONFLICT (rule, key) DO UPDATE SET per_ms = EXCLUDED.per_ms
          RETURNING * INTO c;
        SELECT coalesce(array_agg(x.t ORDER BY x.t, x.e), '{}'), coalesce(array_agg(x.e ORDER BY x.t, x.e), '{}') INTO times, events
          FROM unnest(c.execution_times, c.execution_events) AS x(t, e) WHERE x.t > since;
        executions := cardinality(times);
        IF p_event = ANY(events) THEN verdict := 'execute'; RETURN; END IF;
        IF c.escalated_event = p_event AND c.escalated_at > since THEN verdict := 'escalate'; RETURN; END IF;
        IF executions < p_max THEN
          times := times || p_now;
          events := events || p_event;
          executions := executions + 1;
          verdict := 'execute';
        ELSIF p_escalates AND (c.escalated_at IS NULL OR c.escalated_at <= since) THEN
          c.escalated_at := p_now;
          c.escalated_event := p_event;
          verdict := 'escalate';
        ELSE
          verdict := 'throttled';
        END IF;
        UPDATE throttle_counters SET execution_times = times, execution_events = events, escalated_at = c.escalated_at,
            escalated_event = c.escalated_event, last_at = greatest(c.last_at, p_now)
          WHERE rule = p_rule AND key = p_key;
      END $$;
    `,
  },
  {
    version: 8,
    name: 'concurrency slots held across the worker nodes of a cluster',
    sql: `
      CREATE TABLE concurrency_slots (
        slot_key TEXT NOT NULL, execution_id TEXT NOT NULL, node TEXT NOT NULL, taken_at TEXT NOT NULL,
        PRIMARY KEY (slot_key, execution_id)
      );
      CREATE INDEX concurrency_slots_execution ON concurrency_slots (execution_id);
      CREATE INDEX concurrency_slots_node ON concurrency_slots (node);
      -- workers waiting for a slot wake at once: nrx_slots with the key when a slot is freed
      CREATE FUNCTION nrx_slot_freed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_slots', OLD.slot_key); RETURN NULL; END $$;
      CREATE TRIGGER concurrency_slot_freed AFTER DELETE ON concurrency_slots FOR EACH ROW EXECUTE FUNCTION nrx_slot_freed();
      -- One execution takes a slot of each key (keys sorted by the caller), all or none, in one round
      -- trip: under a transaction-scoped advisory lock per key (held until the calling statement's
      -- transaction ends, so two nodes taking one key take turns), holders whose execution has ended
      -- are dropped, the others counted; over a threshold it answers the first full key.
      CREATE FUNCTION nrx_slots_take(p_keys text[], p_thresholds integer[], p_execution text, p_node text, p_at text, p_ended text[],
          OUT full_key text, OUT holders integer) LANGUAGE plpgsql AS $$
      DECLARE
        i integer;
        n integer;
      BEGIN
        FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
          PERFORM pg_advisory_xact_lock(hashtext('netreflex:slot:' || p_keys[i]));
        END LOOP;
        FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
          DELETE FROM concurrency_slots s WHERE s.slot_key = p_keys[i]
            AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = s.execution_id AND NOT (e.status = ANY(p_ended)));
          SELECT count(*) INTO n FROM concurrency_slots WHERE slot_key = p_keys[i] AND execution_id <> p_execution;
          IF n >= p_thresholds[i] THEN
            full_key := p_keys[i];
            holders := n;
            RETURN;
          END IF;
        END LOOP;
        FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
          INSERT INTO concurrency_slots (slot_key, execution_id, node, taken_at) VALUES (p_keys[i], p_execution, p_node, p_at)
            ON CONFLICT (slot_key, execution_id) DO NOTHING;
        END LOOP;
      END $$;
    `,
  },
  {
    version: 9,
    name: 'quieter notifications: no nrx_kv for node heartbeats, nrx_control for control requests, nrx_work names the execution',
    sql: `
      -- nrx_work says which execution waits: the worker it hashes to claims it at once, the
      -- others only if it still waits a moment later (all of them racing for each one was a
      -- query per worker per execution, all at the moment it became due)
      CREATE OR REPLACE FUNCTION nrx_work_requested() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_work', NEW.id); RETURN NULL; END $$;
      -- Every node rewrites its heartbeat (cluster/node/<name>) every few seconds and the others
      -- read heartbeats from the table when they need them: announcing each one made every node
      -- read every other node's heartbeat again, a query per node per heartbeat.
      CREATE OR REPLACE FUNCTION nrx_kv_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r kv;
      BEGIN
        IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
        IF NOT (r.scope = 'cluster' AND left(r.key, 5) = 'node/') THEN PERFORM pg_notify('nrx_kv', r.scope || chr(9) || r.key); END IF;
        RETURN NULL;
      END $$;
      -- a control request (cancel, pause, resume) for an execution another node runs: its owner
      -- carries it out at once instead of at its next look at the table
      CREATE FUNCTION nrx_control_requested() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('nrx_control', ''); RETURN NULL; END $$;
      CREATE TRIGGER control_requested AFTER INSERT ON control_requests FOR EACH STATEMENT EXECUTE FUNCTION nrx_control_requested();
    `,
  },
  {
    version: 10,
    name: 'executions announced over the event bus: no nrx_execution or nrx_work for writes that say so, no nrx_execution for a claim',
    sql: `
      -- PostgreSQL signals every listening server process of the database for each transaction
      -- that notifies, whatever the channel: an execution's few writes woke every node's listener
      -- each time, though only API nodes follow executions and only workers claim. Nodes on an
      -- event bus announce the executions they write there (their transactions set
      -- nrx.execution_notices first).
      CREATE OR REPLACE FUNCTION nrx_execution_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('nrx.execution_notices', true), '') <> 'announced' THEN PERFORM pg_notify('nrx_execution', NEW.id); END IF;
        RETURN NULL;
      END $$;
      CREATE OR REPLACE FUNCTION nrx_work_requested() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('nrx.execution_notices', true), '') <> 'announced' THEN PERFORM pg_notify('nrx_work', NEW.id); END IF;
        RETURN NULL;
      END $$;
      -- a worker claiming an execution (no owner -> itself) writes it as started a moment later
      DROP TRIGGER execution_changed ON executions;
      CREATE TRIGGER execution_changed AFTER UPDATE ON executions FOR EACH ROW
        WHEN (NEW.owner IS NOT NULL AND (OLD.status IS DISTINCT FROM NEW.status OR (OLD.owner IS NOT NULL AND OLD.owner IS DISTINCT FROM NEW.owner)))
        EXECUTE FUNCTION nrx_execution_changed();
    `,
  },
];

/** Text compares byte by byte, as in SQLite: ids, cursors and listings order the same on both backends. */
export const PG_MIGRATIONS: readonly Migration[] = MIGRATION_TEXTS.map((m) => ({ ...m, sql: m.sql.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"') }));

// the two backends move together: a SQLite migration without its PostgreSQL twin is a bug caught at load
if (PG_MIGRATIONS.map((m) => m.version).join() !== SQLITE_MIGRATIONS.map((m) => m.version).join())
  throw new NrxError('NRX_ERR_INTERNAL', 'store migrations: the PostgreSQL and SQLite schema versions differ');

/** A fixed advisory-lock key: two processes migrating one database at once take turns. */
const MIGRATION_LOCK = 7_246_915_001;

/** Bring the schema up to date in one transaction (PostgreSQL DDL is transactional: a failure changes nothing); refuses a newer schema. */
export async function migratePg(conn: PgConnection, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<{ from: number; to: number }> {
  return conn.tx(async (q) => {
    await q('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await q('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const current = async (): Promise<number> => Number((await q('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0]!.v);
    const from = await current();
    const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
    if (from > latest)
      throw new NrxError(
        'NRX_ERR_STORE',
        `database ${conn.location} has schema version ${from}, this netreflex knows versions up to ${latest}: upgrade netreflex or use another database`,
        { details: { version: from, latest } },
      );
    for (const m of migrations) {
      if (m.version <= from) continue;
      try {
        await q(m.sql);
      } catch (e) {
        throw new NrxError('NRX_ERR_STORE', `database ${conn.location}: migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
      }
      await q('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
    }
    return { from, to: await current() };
  });
}
