import type Database from 'better-sqlite3';
import { TERMINAL_STATUSES } from './records.js';
import type { PruneReport, RetentionPolicy } from './store.js';

/**
 * Retention for the SQLite store. The unit of execution history is a tree (a workflow and
 * every child execution sharing its root_id): a tree goes only when every execution in it is
 * terminal, so a running workflow never loses the results of its finished tasks.
 *
 * - maxAgeDays: a terminal tree whose last activity (ended_at, else created_at) is older goes;
 *   processed events and enforcements older than that go.
 * - maxExecutions: counts top-level executions (trees), newest first by id, the way an operator
 *   lists them; terminal trees beyond that many go. Non-terminal trees count but stay.
 * - maxEvents: the newest that many trigger instances (and, separately, enforcements) stay;
 *   older processed ones go. Pending or processing events and their enforcements always stay.
 * - kv rows whose expires_at has passed go.
 * A limit that is not a finite number (Infinity) means "no limit".
 */

const TERMINAL_SQL = [...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', ');

/** An offset large enough to mean "never" inside SQLite's 64-bit integers. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export function pruneSqlite(db: Database.Database, policy: RetentionPolicy, now: Date): PruneReport {
  const cutoff = Number.isFinite(policy.maxAgeDays) ? new Date(now.getTime() - policy.maxAgeDays * 86_400_000).toISOString() : '';
  const maxExecutions = Number.isFinite(policy.maxExecutions) ? Math.max(0, Math.floor(policy.maxExecutions)) : NO_LIMIT;
  const maxEvents = Number.isFinite(policy.maxEvents) ? Math.max(0, Math.floor(policy.maxEvents)) : NO_LIMIT;

  const run = db.transaction((): PruneReport => {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS prune_roots (root_id TEXT PRIMARY KEY)');
    db.exec('CREATE TEMP TABLE IF NOT EXISTS prune_executions (id TEXT PRIMARY KEY)');
    db.exec('DELETE FROM prune_roots; DELETE FROM prune_executions');
    db.prepare(
      `INSERT INTO prune_roots (root_id)
       SELECT root_id FROM (
         SELECT root_id,
                MIN(status IN (${TERMINAL_SQL})) AS done,
                MAX(COALESCE(ended_at, created_at)) AS last_activity,
                ROW_NUMBER() OVER (ORDER BY root_id DESC) AS newest_rank
         FROM executions GROUP BY root_id)
       WHERE done = 1 AND (last_activity < @cutoff OR newest_rank > @maxExecutions)`,
    ).run({ cutoff, maxExecutions });
    db.exec('INSERT INTO prune_executions (id) SELECT id FROM executions WHERE root_id IN (SELECT root_id FROM prune_roots)');

    const tasks = db.prepare('DELETE FROM tasks WHERE workflow_id IN (SELECT id FROM prune_executions)').run().changes;
    db.prepare('DELETE FROM workflow_states WHERE execution_id IN (SELECT id FROM prune_executions)').run();
    db.prepare('DELETE FROM control_requests WHERE execution_id IN (SELECT id FROM prune_executions)').run();
    const executions = db.prepare('DELETE FROM executions WHERE id IN (SELECT id FROM prune_executions)').run().changes;

    const enforcements = db
      .prepare(
        `DELETE FROM rule_enforcements
         WHERE (time < @cutoff OR id <= (SELECT id FROM rule_enforcements ORDER BY id DESC LIMIT 1 OFFSET @maxEvents))
           AND NOT EXISTS (SELECT 1 FROM trigger_instances t WHERE t.id = rule_enforcements.trigger_instance_id AND t.status != 'processed')
           AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = rule_enforcements.execution_id AND e.status NOT IN (${TERMINAL_SQL}))`,
      )
      .run({ cutoff, maxEvents }).changes;
    const events = db
      .prepare(
        `DELETE FROM trigger_instances
         WHERE status = 'processed'
           AND (time < @cutoff OR id <= (SELECT id FROM trigger_instances ORDER BY id DESC LIMIT 1 OFFSET @maxEvents))`,
      )
      .run({ cutoff, maxEvents }).changes;
    const keys = db.prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now.toISOString()).changes;

    db.exec('DELETE FROM prune_roots; DELETE FROM prune_executions');
    return { executions, tasks, events, enforcements, keys };
  });
  return run.immediate();
}
