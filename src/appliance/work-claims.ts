import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ExecutionEngine } from '../executions/engine.js';
import type { HeartbeatKey, WorkQueueRepository } from '../store/repositories/work-queue.js';
import { fnv1a } from '../events/partitions.js';
import { NODE_DEAD_AFTER_MS } from './cluster-membership.js';

/** Root executions a worker runs at once unless told otherwise (`--worker-capacity`). */
export const DEFAULT_WORKER_CAPACITY = 32;

/**
 * How long the workers an execution does not hash to leave it to the one it does (ms) before
 * they look themselves: what that one cannot take (it is full, or dead and not yet known to be)
 * waits this much longer. The notifications of that time share one look.
 */
export const CLAIM_FALLBACK_MS = 250;

/** MurmurHash3's finalizer: FNV-1a alone leaves names that differ in their last byte (worker-1, worker-2) too alike. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The worker that claims a waiting execution first: rendezvous hashing of its id over the live
 * workers, so that every worker seeing the same set names the same one, and a worker that joins
 * or leaves moves only its own share. Null when there are none.
 */
export function firstClaimer(executionId: string, workers: readonly string[]): string | null {
  let best: string | null = null;
  let top = -1;
  for (const w of workers) {
    const h = mix32(fnv1a(`${executionId}\n${w}`));
    if (h > top || (h === top && w < best!)) [top, best] = [h, w];
  }
  return best;
}

export interface WorkClaimsOptions {
  workQueue: WorkQueueRepository;
  engine: Pick<ExecutionEngine, 'adopt' | 'recover' | 'rootCount' | 'heldDeviceLocks'>;
  /** This node's name (the owner written on what it runs). */
  node: string;
  heartbeatOf: (node: string) => HeartbeatKey;
  /** Root executions (workflows and actions started at the top) this worker runs at once. */
  capacity: number;
  log: Logger;
  /** Claims are tried at least this often (the fallback to the store's notifications). */
  pollMs?: number;
  /** How often the owners of unfinished executions are checked for a dead node (and the live workers read again). */
  takeoverCheckMs?: number;
  /**
   * The names of the live worker nodes (this one included): a notified execution is claimed at
   * once only by the worker it hashes to (firstClaimer), the others claim it CLAIM_FALLBACK_MS
   * later if it still waits. Absent: every worker claims at once.
   */
  liveWorkers?: () => Promise<readonly string[]>;
  /** The event bus, where the nodes on it announce the executions that wait for a worker (the store notifies the others'). */
  announced?: { watchWork(onWaiting: (executionId: string) => void): Promise<{ stop(): Promise<void> }> };
  /**
   * How long this node has written its heartbeat without a gap (ClusterMembership.beatingFor).
   * Work is taken over only once it is NODE_DEAD_AFTER_MS: after the store was unreachable
   * (a PostgreSQL restart) every heartbeat may have run out while their nodes lived on, and the
   * first node back must not take the others' running work. Absent: no such wait.
   */
  beatingFor?: () => number;
}

export interface ResumedWork {
  resumed: number;
  rerun: number;
  abandoned: number;
  /** Executions taken over from dead nodes. */
  takenOver: number;
}

/**
 * A worker node on a shared store: at start it resumes its own unfinished executions and those
 * of dead nodes (by the recovery rule: workflows resume, an in-flight idempotent action re-runs,
 * a non-idempotent one is abandoned); then it claims root executions waiting for a worker up to
 * its capacity, woken at once by the store's notification and at least every `pollMs`; and it
 * keeps watching for nodes that die, to take their work over.
 */
export class WorkClaims {
  private pollTimer: NodeJS.Timeout | null = null;
  private takeoverTimer: NodeJS.Timeout | null = null;
  private fallbackTimer: NodeJS.Timeout | null = null;
  private claiming = false;
  private again = false;
  private stopped = false;
  private announcements: Promise<{ stop(): Promise<void> }> | null = null;
  /** The last claim stopped for want of room: what waits is claimed when room is freed. */
  private full = false;
  /** The live workers as last read (sorted); empty until read. */
  private workers: readonly string[] = [];
  readonly counts = { claimed: 0, takenOver: 0 };

  constructor(private readonly o: WorkClaimsOptions) {}

  async start(): Promise<ResumedWork> {
    const { workQueue, engine, node } = this.o;
    // work left without an owner by a version before owners were recorded is resumed here
    await workQueue.adoptOrphans(node);
    const own = await engine.recover(await workQueue.unfinishedOf(node, this.o.heartbeatOf(node)));
    const taken = await this.takeOverDeadNodes();
    // locks this node held before a restart for work that has ended since are freed
    await workQueue.releaseLocksExcept(node, engine.heldDeviceLocks());
    await this.readWorkers();
    workQueue.watch((what, executionId) => {
      if (what === 'work') this.waiting(executionId);
    });
    if (this.o.announced) {
      this.announcements = this.o.announced.watchWork((id) => this.waiting(id));
      await this.announcements;
    }
    this.pollTimer = setInterval(() => this.poke(), this.o.pollMs ?? 1_000);
    this.takeoverTimer = setInterval(() => {
      void this.takeOverDeadNodes().catch(() => {});
      void this.readWorkers();
    }, this.o.takeoverCheckMs ?? 2_000);
    this.poke();
    return {
      resumed: own.resumed + taken.resumed,
      rerun: own.rerun + taken.rerun,
      abandoned: own.abandoned + taken.abandoned,
      takenOver: taken.takenOver,
    };
  }

  /**
   * An execution waits for a worker (the store's notification, or a node's announcement on the
   * bus): the worker it hashes to claims now; the others look again a moment later, in case that
   * one cannot take it (full, or dead and not yet known to be). A notification without an id, or a
   * worker that does not know the live workers yet, claims now.
   */
  private waiting(executionId: string): void {
    const first = executionId && this.workers.includes(this.o.node) ? firstClaimer(executionId, this.workers) : this.o.node;
    if (first === this.o.node) return this.poke();
    this.fallbackTimer ??= setTimeout(() => {
      this.fallbackTimer = null;
      this.poke();
    }, CLAIM_FALLBACK_MS);
  }

  private async readWorkers(): Promise<void> {
    if (!this.o.liveWorkers) return;
    // a failed read keeps the last list; a list without this node makes it claim everything at once
    this.workers = [...(await this.o.liveWorkers().catch(() => this.workers))].sort();
  }

  /** A root execution ended here: claim again if a claim was held back for want of room (else the notifications suffice). */
  roomFreed(): void {
    if (!this.full) return;
    this.full = false;
    this.poke();
  }

  /** Claim now (work is waiting, or capacity was freed); runs once at a time, again if poked meanwhile. */
  poke(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    void this.claimWhileRoom().finally(() => {
      this.claiming = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.poke();
      }
    });
  }

  private async claimWhileRoom(): Promise<void> {
    const { workQueue, engine, node, capacity } = this.o;
    try {
      for (;;) {
        const room = capacity - engine.rootCount;
        this.full = false;
        if (this.stopped) return;
        if (room <= 0) {
          this.full = true;
          return;
        }
        const asked = Math.min(room, 16);
        const got = await workQueue.claim(node, asked);
        if (!got.length) return;
        this.counts.claimed += got.length;
        await engine.adopt(got);
        // fewer than asked: nothing else was waiting; what comes since is notified (and pokes again)
        if (got.length < asked) return;
      }
    } catch (e) {
      this.o.log.warn({ err: describeError(e) }, 'claiming executions from the store failed; trying again');
    }
  }

  /** Every node that owns unfinished work and whose heartbeat has expired: its work moves here. */
  private async takeOverDeadNodes(): Promise<ResumedWork> {
    const out: ResumedWork = { resumed: 0, rerun: 0, abandoned: 0, takenOver: 0 };
    if (this.stopped) return out;
    // an expired heartbeat says a node died only to a node that has been watching that long
    if (this.o.beatingFor && this.o.beatingFor() < NODE_DEAD_AFTER_MS) return out;
    const { workQueue, engine, node } = this.o;
    for (const dead of await workQueue.ownersOtherThan(node)) {
      const moved = await workQueue.takeOver(dead, this.o.heartbeatOf(dead), node, new Date());
      if (!moved) continue;
      this.o.log.warn({ node: dead, executions: moved }, `node ${dead} stopped sending heartbeats: its unfinished work is taken over here`);
      const r = await engine.recover(await workQueue.unfinishedOf(node, this.o.heartbeatOf(node)));
      out.resumed += r.resumed;
      out.rerun += r.rerun;
      out.abandoned += r.abandoned;
      out.takenOver += moved;
      this.counts.takenOver += moved;
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.takeoverTimer) clearInterval(this.takeoverTimer);
    if (this.fallbackTimer) clearTimeout(this.fallbackTimer);
    void this.announcements?.then((s) => s.stop()).catch(() => {});
  }
}
