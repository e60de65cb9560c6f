import { TERMINAL_STATUSES } from '../records.js';
import type { PruneReport, RetentionPolicy } from '../store.js';
import type { PgConnection } from './connection.js';

const TERMINAL = [...TERMINAL_STATUSES];
/** OFFSET large enough to mean "never". */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** Retention on PostgreSQL, the same rules as the SQLite store's (src/store/sqlite-prune.ts says them), in one transaction. */
export async function prunePg(conn: PgConnection, policy: RetentionPolicy, now: Date): Promise<PruneReport> {
  const cutoff = Number.isFinite(policy.maxAgeDays) ? new Date(now.getTime() - policy.maxAgeDays * 86_400_000).toISOString() : '';
  const maxExecutions = Number.isFinite(policy.maxExecutions) ? Math.max(0, Math.floor(policy.maxExecutions)) : NO_LIMIT;
  const maxEvents = Number.isFinite(policy.maxEvents) ? Math.max(0, Math.floor(policy.maxEvents)) : NO_LIMIT;
  return conn.tx(async (q) => {
    const doomed = (
      await q(
        `SELECT e.id FROM executions e JOIN (
           SELECT root_id FROM (
             SELECT root_id, bool_and(status = ANY($1)) AS done, MAX(COALESCE(ended_at, created_at)) AS last_activity,
                    ROW_NUMBER() OVER (ORDER BY root_id DESC) AS newest_rank
             FROM executions GROUP BY root_id) t
           WHERE done AND (last_activity < $2 OR newest_rank > $3)) r ON r.root_id = e.root_id`,
        [TERMINAL, cutoff, maxExecutions],
      )
    ).rows.map((r) => r.id as string);
    const tasks = (await q('DELETE FROM tasks WHERE workflow_id = ANY($1)', [doomed])).rowCount ?? 0;
    await q('DELETE FROM workflow_states WHERE execution_id = ANY($1)', [doomed]);
    await q('DELETE FROM control_requests WHERE execution_id = ANY($1)', [doomed]);
    const executions = (await q('DELETE FROM executions WHERE id = ANY($1)', [doomed])).rowCount ?? 0;
    const enforcements =
      (
        await q(
          `DELETE FROM rule_enforcements
           WHERE (time < $1 OR id <= (SELECT id FROM rule_enforcements ORDER BY id DESC LIMIT 1 OFFSET $2))
             AND NOT EXISTS (SELECT 1 FROM trigger_instances t WHERE t.id = rule_enforcements.trigger_instance_id AND t.status != 'processed')
             AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = rule_enforcements.execution_id AND NOT (e.status = ANY($3)))`,
          [cutoff, maxEvents, TERMINAL],
        )
      ).rowCount ?? 0;
    const events =
      (
        await q(
          `DELETE FROM trigger_instances
           WHERE status = 'processed' AND (time < $1 OR id <= (SELECT id FROM trigger_instances ORDER BY id DESC LIMIT 1 OFFSET $2))`,
          [cutoff, maxEvents],
        )
      ).rowCount ?? 0;
    const keys = (await q('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= $1', [now.toISOString()])).rowCount ?? 0;
    // shared throttle counters whose window has passed since their last firing (not reported: they are
    // not history); one a rules node is counting right now is left for the next prune (never waited for)
    await q(
      `DELETE FROM throttle_counters WHERE (rule, key) IN
         (SELECT rule, key FROM throttle_counters WHERE last_at <= $1::bigint - per_ms FOR UPDATE SKIP LOCKED)`,
      [now.getTime()],
    );
    return { executions, tasks, events, enforcements, keys };
  });
}
