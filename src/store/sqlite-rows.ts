import type {
  ControlRequestRecord,
  ExecutionRecord,
  KeyValueRecord,
  RuleEnforcementRecord,
  TaskRecord,
  TriggerInstanceRecord,
  WorkflowStateRecord,
} from './records.js';

/**
 * Records <-> SQLite rows. Row objects use the column names as keys so that prepared
 * statements bind them by name (`@type`). JSON columns hold `null` for an absent value:
 * `result: undefined` is read back as `null`.
 */

type Json = string | null;

function upsertSql(table: string, cols: readonly string[], key: readonly string[]): string {
  const updates = cols.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

/** Each table's written columns and key; the column lists match the row interfaces below (PostgreSQL uses them too). */
export const TABLE_COLUMNS = {
  trigger_instances: { cols: ['id', 'type', 'time', 'source', 'device', 'trace_id', 'status', 'payload', 'duplicate_of'], key: ['id'] },
  rule_enforcements: { cols: ['id', 'rule_ref', 'trigger_instance_id', 'trace_id', 'outcome', 'execution_id', 'action_ref', 'reason', 'time'], key: ['id'] },
  executions: {
    cols: [
      'id',
      'action',
      'runner',
      'status',
      'parent_id',
      'root_id',
      'task_name',
      'created_at',
      'started_at',
      'ended_at',
      'parameters',
      'result',
      'error',
      'context',
      'log',
      'owner',
    ],
    key: ['id'],
  },
  tasks: {
    cols: [
      'id',
      'workflow_id',
      'task_key',
      'task_name',
      'item_index',
      'status',
      'action_ref',
      'execution_id',
      'due_at',
      'seq',
      'started_at',
      'ended_at',
      'result',
    ],
    key: ['id'],
  },
  workflow_states: { cols: ['execution_id', 'kind', 'state', 'updated_at'], key: ['execution_id'] },
  kv: { cols: ['scope', 'key', 'value', 'secret', 'expires_at', 'updated_at'], key: ['scope', 'key'] },
} as const satisfies Record<string, { cols: readonly string[]; key: readonly string[] }>;

export type UpsertTable = keyof typeof TABLE_COLUMNS;

/** Upsert statements, one per table. */
export const UPSERT = Object.fromEntries(Object.entries(TABLE_COLUMNS).map(([table, t]) => [table, upsertSql(table, t.cols, t.key)])) as Record<
  UpsertTable,
  string
>;

function toJson(v: unknown): Json {
  return v === undefined ? null : JSON.stringify(v);
}

function fromJson<T>(v: Json): T {
  return (v === null ? null : JSON.parse(v)) as T;
}

export interface TriggerInstanceRow {
  id: string;
  type: string;
  time: string;
  source: string;
  device: string | null;
  trace_id: string;
  status: string;
  payload: string;
  duplicate_of: string | null;
  /** Read only: the columns' defaults apply on insert and the upsert leaves them alone. */
  occurrences?: number;
  last_time?: string | null;
}

export function triggerInstanceRow(r: TriggerInstanceRecord): TriggerInstanceRow {
  return {
    id: r.id,
    type: r.type,
    time: r.time,
    source: r.source,
    device: r.device,
    trace_id: r.traceId,
    status: r.status,
    payload: JSON.stringify(r.payload),
    duplicate_of: r.duplicateOf ?? null,
  };
}

export function triggerInstanceRecord(r: TriggerInstanceRow): TriggerInstanceRecord {
  const rec: TriggerInstanceRecord = {
    id: r.id,
    type: r.type,
    time: r.time,
    source: r.source,
    device: r.device,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    traceId: r.trace_id,
    status: r.status as TriggerInstanceRecord['status'],
  };
  // a repeated event says how often and until when; one that never repeated keeps its plain shape
  if (r.occurrences !== undefined && r.occurrences > 1) {
    rec.occurrences = r.occurrences;
    rec.lastTime = r.last_time ?? null;
  }
  if (r.duplicate_of) rec.duplicateOf = r.duplicate_of;
  return rec;
}

export interface EnforcementRow {
  id: string;
  rule_ref: string;
  trigger_instance_id: string;
  trace_id: string;
  outcome: string;
  execution_id: string | null;
  action_ref: string | null;
  reason: string | null;
  time: string;
}

export function enforcementRow(r: RuleEnforcementRecord): EnforcementRow {
  return {
    id: r.id,
    rule_ref: r.ruleRef,
    trigger_instance_id: r.triggerInstanceId,
    trace_id: r.traceId,
    outcome: r.outcome,
    execution_id: r.executionId,
    action_ref: r.actionRef,
    reason: r.reason,
    time: r.time,
  };
}

export function enforcementRecord(r: EnforcementRow): RuleEnforcementRecord {
  return {
    id: r.id,
    ruleRef: r.rule_ref,
    triggerInstanceId: r.trigger_instance_id,
    traceId: r.trace_id,
    outcome: r.outcome as RuleEnforcementRecord['outcome'],
    executionId: r.execution_id,
    actionRef: r.action_ref,
    reason: r.reason,
    time: r.time,
  };
}

export interface ExecutionRow {
  id: string;
  action: string;
  runner: string;
  status: string;
  parent_id: string | null;
  root_id: string;
  task_name: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  parameters: string;
  result: Json;
  error: Json;
  context: string;
  log: string;
  owner: string | null;
}

export function executionRow(r: ExecutionRecord): ExecutionRow {
  return {
    id: r.id,
    action: r.action,
    runner: r.runner,
    status: r.status,
    parent_id: r.parentId,
    root_id: r.rootId,
    task_name: r.taskName,
    created_at: r.createdAt,
    started_at: r.startedAt,
    ended_at: r.endedAt,
    parameters: JSON.stringify(r.parameters),
    result: toJson(r.result),
    error: toJson(r.error),
    context: JSON.stringify(r.context),
    log: JSON.stringify(r.log),
    owner: r.owner ?? null,
  };
}

export function executionRecord(r: ExecutionRow): ExecutionRecord {
  return {
    id: r.id,
    action: r.action,
    runner: r.runner,
    parameters: JSON.parse(r.parameters) as Record<string, unknown>,
    status: r.status as ExecutionRecord['status'],
    result: fromJson<unknown>(r.result),
    error: fromJson<ExecutionRecord['error']>(r.error),
    parentId: r.parent_id,
    rootId: r.root_id,
    taskName: r.task_name,
    context: JSON.parse(r.context) as ExecutionRecord['context'],
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    log: JSON.parse(r.log) as string[],
    ...(r.owner ? { owner: r.owner } : {}),
  };
}

export interface TaskRow {
  id: string;
  workflow_id: string;
  task_key: string;
  task_name: string;
  item_index: number | null;
  status: string;
  action_ref: string | null;
  execution_id: string | null;
  due_at: number | null;
  seq: number;
  started_at: string | null;
  ended_at: string | null;
  result: Json;
}

export function taskRow(r: TaskRecord): TaskRow {
  return {
    id: r.id,
    workflow_id: r.workflowId,
    task_key: r.taskKey,
    task_name: r.taskName,
    item_index: r.itemIndex,
    status: r.status,
    action_ref: r.actionRef,
    execution_id: r.executionId,
    due_at: r.dueAt,
    seq: r.seq,
    started_at: r.startedAt,
    ended_at: r.endedAt,
    result: toJson(r.result),
  };
}

export function taskRecord(r: TaskRow): TaskRecord {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    taskKey: r.task_key,
    taskName: r.task_name,
    itemIndex: r.item_index,
    status: r.status as TaskRecord['status'],
    actionRef: r.action_ref,
    executionId: r.execution_id,
    dueAt: r.due_at,
    seq: r.seq,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    result: fromJson<unknown>(r.result),
  };
}

export interface WorkflowStateRow {
  execution_id: string;
  kind: string;
  state: string;
  updated_at: string;
}

export function workflowStateRow(r: WorkflowStateRecord): WorkflowStateRow {
  return { execution_id: r.executionId, kind: r.kind, state: JSON.stringify(r.state ?? null), updated_at: r.updatedAt };
}

export function workflowStateRecord(r: WorkflowStateRow): WorkflowStateRecord {
  return { executionId: r.execution_id, kind: r.kind as WorkflowStateRecord['kind'], state: JSON.parse(r.state) as unknown, updatedAt: r.updated_at };
}

export interface KeyValueRow {
  scope: string;
  key: string;
  value: string;
  secret: number;
  expires_at: string | null;
  updated_at: string;
}

export function keyValueRow(r: KeyValueRecord): KeyValueRow {
  return { scope: r.scope, key: r.key, value: r.value, secret: r.secret ? 1 : 0, expires_at: r.expiresAt, updated_at: r.updatedAt };
}

export function keyValueRecord(r: KeyValueRow): KeyValueRecord {
  return { scope: r.scope, key: r.key, value: r.value, secret: r.secret === 1, expiresAt: r.expires_at, updatedAt: r.updated_at };
}

export interface ControlRequestRow {
  id: number;
  execution_id: string;
  op: string;
  created_at: string;
}

export function controlRequestRecord(r: ControlRequestRow): ControlRequestRecord {
  return { id: r.id, executionId: r.execution_id, op: r.op as ControlRequestRecord['op'], createdAt: r.created_at };
}
