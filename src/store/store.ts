import type {
  ControlRequestRecord,
  EnforcementOutcome,
  ExecutionRecord,
  ExecutionStatus,
  KeyValueRecord,
  RuleEnforcementRecord,
  TaskRecord,
  TriggerInstanceRecord,
  TriggerInstanceStatus,
  WorkflowStateRecord,
} from './records.js';
import type { Repositories, ThrottleCounterRepository } from './repositories/index.js';

/** A write. A batch of writes is applied atomically: all or none. */
export type WriteOp =
  | { op: 'putTriggerInstance'; value: TriggerInstanceRecord }
  /** With `from`: only if the event still has that status, else the whole batch fails (two nodes deciding one event: the second commit is refused). */
  | { op: 'setTriggerInstanceStatus'; id: string; status: TriggerInstanceStatus; from?: TriggerInstanceStatus }
  /** Repeats folded into a stored event by storm coalescing: occurrences += count, last time set. A row pruned meanwhile is skipped. */
  | { op: 'addTriggerInstanceOccurrences'; id: string; count: number; lastTime: string }
  | { op: 'putEnforcement'; value: RuleEnforcementRecord }
  | { op: 'putExecution'; value: ExecutionRecord }
  /** The secret parameters of an execution, encrypted (SecretCipher), for the worker that runs it. */
  | { op: 'sealExecutionParameters'; id: string; sealed: string }
  | { op: 'putWorkflowState'; value: WorkflowStateRecord }
  | { op: 'deleteWorkflowState'; executionId: string }
  | { op: 'putTask'; value: TaskRecord }
  | { op: 'kvPut'; value: KeyValueRecord }
  | { op: 'kvDelete'; scope: string; key: string }
  // control: what is asked (pause, resume, cancel); `op` already names the write
  | { op: 'addControlRequest'; executionId: string; control: ControlRequestRecord['op'] }
  | { op: 'deleteControlRequest'; id: number }
  /** The batch is applied only while `node` owns the execution (distributed mode: a node taken for dead must not go on). */
  | { op: 'assertOwner'; executionId: string; node: string };

export interface ExecutionFilter {
  /** Only these executions. */
  ids?: readonly string[];
  status?: ExecutionStatus[];
  action?: string;
  parentId?: string | null;
  rootId?: string;
  /** Newest first; page with `before` (an execution id). */
  limit?: number;
  before?: string;
}

export interface EventFilter {
  type?: string;
  /** Only the duplicates of this event (cross-source correlation). */
  duplicateOf?: string;
  status?: TriggerInstanceStatus[];
  limit?: number;
  before?: string;
}

export interface EnforcementFilter {
  ruleRef?: string;
  triggerInstanceId?: string;
  executionId?: string;
  outcome?: EnforcementOutcome;
  limit?: number;
}

export interface RetentionPolicy {
  maxAgeDays: number;
  maxExecutions: number;
  maxEvents: number;
}

export interface PruneReport {
  executions: number;
  tasks: number;
  events: number;
  enforcements: number;
  keys: number;
}

/** Pending trigger instances, each handed out once: how the inbox finds events other processes (the CLI) wrote. */
export interface PendingEventFeed {
  /** Every event still pending is handed out by the following next() calls first, oldest id first. Resolves to how many. */
  recover(): Promise<number>;
  /** Pending events not handed out before, oldest first, ids only; looks at most `maxRows` rows. */
  next(maxRows?: number): Promise<Array<{ id: string }>>;
}

/**
 * The state store: executions, events and workflow history here, and each module's tables
 * through its repository (Repositories). Async so that a PostgreSQL implementation satisfies
 * the same contract; the SQLite implementation (better-sqlite3, WAL) answers synchronously
 * under it.
 */
/**
 * Who of several processes sharing a store does what must happen once (timers). `watch` calls
 * back with true when this process becomes the leader and false when it stops being it.
 */
export interface Leadership {
  watch(onChange: (leader: boolean) => void): void;
  readonly isLeader: boolean;
  close(): Promise<void>;
}

/**
 * Who of the rules nodes sharing a store owns which event partition (distributed mode). Each
 * node is a member while its connection lives; a partition is owned by the member holding its
 * lock. The store releases every lock of a member whose process dies.
 */
export interface PartitionLocks {
  /** Joins if not yet a member, then: this member, the live members, and each owned partition's owner. */
  view(): Promise<{ self: string; members: string[]; owners: Map<number, string>; names: Map<string, string> }>;
  /** Takes a partition's lock if no member holds it. */
  tryTake(partition: number): Promise<boolean>;
  release(partition: number): Promise<void>;
  /** Called when membership and every lock were lost with the connection (view() joins again). */
  onLost(listener: () => void): void;
  close(): Promise<void>;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for messages: the database file, or the server and database name. */
  readonly location: string;
  /** Opened for reading only (a CLI's second handle): every write is refused. */
  readonly isReadonly: boolean;
  /** Apply writes atomically, in order. Resolves once durable per the store's sync policy. */
  commit(batch: WriteOp[]): Promise<void>;

  getTriggerInstance(id: string): Promise<TriggerInstanceRecord | null>;
  /**
   * A new feed of pending events; it starts after the newest event until recover() is called.
   * `settleMs` (several nodes share the store): a pending row is handed out only after it stayed
   * pending that long, and then to one node only (another node may be handling it right now;
   * one that died leaves it pending). 0, the default: at once (one process owns the store).
   */
  pendingEvents(opts?: { settleMs?: number }): PendingEventFeed;
  listTriggerInstances(filter?: EventFilter): Promise<TriggerInstanceRecord[]>;

  listEnforcements(filter?: EnforcementFilter): Promise<RuleEnforcementRecord[]>;

  getExecution(id: string): Promise<ExecutionRecord | null>;
  listExecutions(filter?: ExecutionFilter): Promise<ExecutionRecord[]>;

  getWorkflowState(executionId: string): Promise<WorkflowStateRecord | null>;
  listWorkflowStates(): Promise<WorkflowStateRecord[]>;
  listTasks(workflowId: string): Promise<TaskRecord[]>;

  kvGet(scope: string, key: string): Promise<KeyValueRecord | null>;
  kvList(scope: string, prefix?: string): Promise<KeyValueRecord[]>;

  listControlRequests(): Promise<ControlRequestRecord[]>;

  /** Drop history older than the policy allows; never touches non-terminal executions. */
  prune(policy: RetentionPolicy, now?: Date): Promise<PruneReport>;

  /** A leader election among the processes sharing this store (PostgreSQL); absent where one process owns the store (SQLite). */
  leadership?(name: string): Leadership;
  /** Event partition ownership among rules nodes (PostgreSQL); `name` shows who holds what. */
  partitionLocks?(name: string): PartitionLocks;
  /** Throttle counters shared by the rules nodes (PostgreSQL); absent where one process owns the store (SQLite: its rules count in memory). */
  readonly throttleCounters?: ThrottleCounterRepository;

  close(): Promise<void>;
}
