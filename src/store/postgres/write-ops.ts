import pg from 'pg';
import { NrxError } from '../../core/errors.js';
import * as rows from '../sqlite-rows.js';
import type { WriteOp } from '../store.js';

/**
 * The store's writes (WriteOp) as PostgreSQL statements, and a whole group of write batches as
 * one SQL text: sent as one simple query, PostgreSQL runs its statements as one transaction (all
 * or nothing) in a single round trip, where a statement at a time costs a round trip each plus
 * BEGIN and COMMIT. On a busy machine each round trip waits for the server process to be
 * scheduled, which is what an event's way through a cluster (three or four transactions in a
 * row) spent most of its time on.
 */

/** One write as SQL with $n parameters; `unchanged`: why the batch fails when it changed no row. */
export interface WriteStatement {
  sql: string;
  args: unknown[];
  unchanged?: string;
  /** The error code of that failure (default NRX_ERR_STORE). */
  unchangedCode?: 'NRX_ERR_STORE' | 'NRX_ERR_NOT_OWNER';
}

/** INSERT ... ON CONFLICT DO UPDATE with $n parameters, from the tables' column lists (shared with SQLite). */
const UPSERT_PG = Object.fromEntries(
  Object.entries(rows.TABLE_COLUMNS).map(([table, t]) => {
    const cols: readonly string[] = t.cols;
    const key: readonly string[] = t.key;
    const updates = cols.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
    const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
    return [table, { sql, cols }];
  }),
) as Record<rows.UpsertTable, { sql: string; cols: readonly string[] }>;

function upsert(table: rows.UpsertTable, row: object): WriteStatement {
  const u = UPSERT_PG[table];
  return { sql: u.sql, args: u.cols.map((c) => (row as Record<string, unknown>)[c] ?? null) };
}

/** The statement of one write; throws NRX_ERR_STORE for an op it does not know. */
export function writeStatement(w: WriteOp, location: string): WriteStatement {
  switch (w.op) {
    case 'putTriggerInstance':
      return upsert('trigger_instances', rows.triggerInstanceRow(w.value));
    case 'addTriggerInstanceOccurrences':
      return { sql: 'UPDATE trigger_instances SET occurrences = occurrences + $1, last_time = $2 WHERE id = $3', args: [w.count, w.lastTime, w.id] };
    case 'setTriggerInstanceStatus':
      return w.from !== undefined
        ? {
            sql: 'UPDATE trigger_instances SET status = $1 WHERE id = $2 AND status = $3',
            args: [w.status, w.id, w.from],
            unchanged: `database ${location}: trigger instance ${w.id} is no longer ${w.from} (decided elsewhere): batch not applied`,
          }
        : {
            sql: 'UPDATE trigger_instances SET status = $1 WHERE id = $2',
            args: [w.status, w.id],
            unchanged: `database ${location}: cannot set status of trigger instance ${w.id}: no such trigger instance (batch not applied)`,
          };
    case 'putEnforcement':
      return upsert('rule_enforcements', rows.enforcementRow(w.value));
    case 'putExecution':
      return upsert('executions', rows.executionRow(w.value));
    case 'sealExecutionParameters':
      return { sql: 'UPDATE executions SET sealed_parameters = $1 WHERE id = $2', args: [w.sealed, w.id] };
    case 'putWorkflowState':
      return upsert('workflow_states', rows.workflowStateRow(w.value));
    case 'deleteWorkflowState':
      return { sql: 'DELETE FROM workflow_states WHERE execution_id = $1', args: [w.executionId] };
    case 'putTask':
      return upsert('tasks', rows.taskRow(w.value));
    case 'kvPut':
      return upsert('kv', rows.keyValueRow(w.value));
    case 'kvDelete':
      return { sql: 'DELETE FROM kv WHERE scope = $1 AND key = $2', args: [w.scope, w.key] };
    case 'addControlRequest':
      return {
        sql: 'INSERT INTO control_requests (execution_id, op, created_at) VALUES ($1, $2, $3)',
        args: [w.executionId, w.control, new Date().toISOString()],
      };
    case 'assertOwner':
      // a row lock as well: a takeover moving the execution waits for this batch, or this batch for it
      return {
        sql: 'UPDATE executions SET owner = owner WHERE id = $1 AND owner = $2',
        args: [w.executionId, w.node],
        unchanged: `execution ${w.executionId} is no longer run by ${w.node}: another node took it over (batch not applied)`,
        unchangedCode: 'NRX_ERR_NOT_OWNER',
      };
    case 'deleteControlRequest':
      return { sql: 'DELETE FROM control_requests WHERE id = $1', args: [w.id] };
    default:
      throw new NrxError('NRX_ERR_STORE', `database ${location}: unknown write op '${String((w as { op?: unknown }).op)}' (batch not applied)`);
  }
}

/** A parameter as a quoted literal, as node-postgres would send it as text; null for a value it would not send as plain text. */
function literal(v: unknown): string | null {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return pg.escapeLiteral(v);
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint' || typeof v === 'boolean') return pg.escapeLiteral(String(v));
  return null;
}

/** The statement with its parameters written in as literals, or null when one cannot be. */
function inline(s: WriteStatement): string | null {
  let ok = true;
  const sql = s.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const l = literal(s.args[Number(n) - 1]);
    if (l === null) ok = false;
    return l ?? 'NULL';
  });
  if (!ok) return null;
  // a write that must change a row fails the whole text when it changed none (division by zero)
  return s.unchanged ? `WITH changed AS (${sql} RETURNING 1) SELECT 1 / count(*) FROM changed` : sql;
}

/**
 * Every write of the batches, in order, as one SQL text for one simple query (one transaction);
 * null when a write cannot be put so (then they are written a statement at a time). When the
 * text fails, nothing of it was applied: writing the batches a statement at a time then tells
 * which batch failed and why.
 */
export function writeScript(batches: ReadonlyArray<readonly WriteOp[]>, location: string): string | null {
  const out: string[] = [];
  for (const batch of batches)
    for (const w of batch) {
      let s: WriteStatement;
      try {
        s = writeStatement(w, location);
      } catch {
        return null;
      }
      const sql = inline(s);
      if (sql === null) return null;
      out.push(sql);
    }
  return out.join(';\n');
}
