import type { ExecutionRecord } from '../records.js';

/** An execution as a worker takes it: the record and its secret parameters, still sealed. */
export interface OwnedExecution {
  record: ExecutionRecord;
  /** SecretCipher token of the secret parameters (a JSON object); null when it has none. */
  sealedParameters: string | null;
}

/** Who holds a device lock: a workflow (its root execution) on a node. */
export interface DeviceLockHolder {
  key: string;
  rootId: string;
  node: string;
}

/** A concurrency slot wanted: its key (an action's policy, and its attributes' values) and how many executions may hold one at once. */
export interface SlotWanted {
  key: string;
  threshold: number;
}

/** A concurrency slot that is full: its key and how many executions that have not ended hold it. */
export interface SlotFull {
  key: string;
  holders: number;
}

/** An execution holding a concurrency slot, on a node. */
export interface SlotHolder {
  key: string;
  executionId: string;
  node: string;
}

/** Where a node's heartbeat lives in the key-value table (ClusterMembership writes it). */
export interface HeartbeatKey {
  scope: string;
  key: string;
}

/** Who tells the other nodes of the executions a node writes (see announceExecutionsBy). */
export interface ExecutionAnnouncer {
  /** Executions written: started, changed, ended. */
  changed(executionIds: string[]): void;
  /** Executions that now wait for a worker (requested, at the top, with no owner yet). */
  waiting(executionIds: string[]): void;
}

/**
 * Several worker nodes sharing one store: which node runs which execution, and the device locks
 * that keep two workflows on two nodes from changing one device at once. Every change of owner
 * is one conditional write, so two nodes never both take one execution.
 */
export interface WorkQueueRepository {
  /**
   * Take up to `max` root executions that wait for a worker (status requested, no owner), oldest
   * first. Each row goes to one caller only (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claim(node: string, max: number): Promise<OwnedExecution[]>;
  /** Take one such execution by id (to cancel it before any worker did); null when it is not waiting for a worker. */
  claimOne(node: string, id: string): Promise<OwnedExecution | null>;
  /** The unfinished executions `node` owns, oldest first (parents before their children). */
  unfinishedOf(node: string, heartbeat: HeartbeatKey): Promise<OwnedExecution[]>;
  /** Nodes other than `node` that own unfinished executions or hold device locks. */
  ownersOtherThan(node: string): Promise<string[]>;
  /**
   * Give `node` every unfinished execution, device lock and concurrency slot of `dead`, only if `dead`'s heartbeat
   * has expired at `now` (checked in the same transaction). Resolves to the number of executions
   * moved: 0 when `dead` is alive or another node took them first.
   */
  takeOver(dead: string, deadHeartbeat: HeartbeatKey, node: string, now: Date): Promise<number>;
  /**
   * Give `node` the unfinished executions nobody owns that no worker would claim: those left by a
   * version before owners were recorded (everything but roots waiting for a worker). All to one
   * caller. Resolves to how many.
   */
  adoptOrphans(node: string): Promise<number>;
  /**
   * Take the device locks `keys` for the workflow `rootId` on `node`, all or none. A lock already
   * held by the same workflow is kept; one held by a workflow that has ended is taken. Resolves to
   * null when all are held, else to the holder that refused.
   */
  lockDevices(keys: readonly string[], rootId: string, node: string, now: Date): Promise<DeviceLockHolder | null>;
  /** Free the locks `keys` held by the workflow `rootId`. */
  unlockDevices(keys: readonly string[], rootId: string): Promise<void>;
  /** Free every lock `node` holds except those listed (after a restart or a takeover). */
  releaseLocksExcept(node: string, keep: ReadonlyArray<{ key: string; rootId: string }>): Promise<void>;
  listDeviceLocks(): Promise<DeviceLockHolder[]>;
  /**
   * Take a slot of each of `slots` for the execution `executionId` on `node`, all or none, as one
   * atomic step over every node (PostgreSQL: an advisory lock per slot key). A slot is full when
   * `threshold` other executions hold it; a holder whose execution has ended (or is gone) holds
   * nothing and is dropped. A slot the execution holds already is kept. Resolves to null when all
   * are held, else to the first full slot (in key order).
   */
  takeSlots(slots: readonly SlotWanted[], executionId: string, node: string, now: Date): Promise<SlotFull | null>;
  /** Free every slot the execution holds. */
  freeSlots(executionId: string): Promise<void>;
  listSlots(): Promise<SlotHolder[]>;
  /**
   * Called when an execution starts waiting for a worker ('work', with its id; '' from a store
   * that does not say), a device lock is freed ('locks') or a concurrency slot is freed
   * ('slots'), by any process sharing the store.
   */
  watch(onChange: (what: 'work' | 'locks' | 'slots', executionId: string) => void): void;
  /** Called with the id of an execution a node runs when it starts or its status changes, by any process sharing the store. */
  watchExecutions(onChange: (executionId: string) => void): void;
  /**
   * The executions this process writes are announced by `announcer` (the event bus), with the ids
   * of each transaction once it is committed, instead of by the store (PostgreSQL: no NOTIFY
   * nrx_execution or nrx_work for them; each woke every listening server process of every node).
   * The nodes that follow executions or claim work then hear of them from the announcer as well.
   * Returns false where the store announces nothing (SQLite: one process).
   */
  announceExecutionsBy(announcer: ExecutionAnnouncer): boolean;
  /**
   * Called when any process sharing the store adds a control request (cancel, pause, resume).
   * Returns false where the store cannot tell (SQLite: the table is read every few hundred ms).
   */
  watchControlRequests(onAdded: () => void): boolean;
}
