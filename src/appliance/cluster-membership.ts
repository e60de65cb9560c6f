import { hostname } from 'node:os';
import type { KeyValueRepository } from '../store/repositories/key-values.js';
import type { NodeMetrics } from './node-metrics.js';

/**
 * The nodes of a cluster, as `netreflex cluster status` shows them: each node writes a heartbeat
 * key (scope `cluster`, `node/<name>`) every few seconds with a short expiry into the shared
 * store; a node that stops deletes its key, a node that dies drops out when the key expires.
 */
export interface ClusterNode {
  name: string;
  roles: string[];
  host: string;
  pid: number;
  startedAt: string;
  lastSeen: string;
  /** Fires the timers (one node of those with the rules role). */
  leader: boolean;
  /** The node's own counters at its last heartbeat (absent from nodes of older versions). */
  metrics?: NodeMetrics;
}

export interface ClusterView {
  store: { kind: string; location: string };
  bus: { url: string; stream: string; consumer: string; pending: number; ackPending: number; redelivered: number } | { url: string; error: string } | null;
  nodes: ClusterNode[];
}

const SCOPE = 'cluster';
const PREFIX = 'node/';

export function defaultNodeName(): string {
  return `${hostname()}-${process.pid}`;
}

export class ClusterMembership {
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = new Date().toISOString();
  /** Since when heartbeats were written without a gap (null: the last one failed, or none yet). */
  private beatingSince: number | null = null;
  /** When the last heartbeat write completed. */
  private lastWritten = 0;

  constructor(
    private readonly kv: KeyValueRepository,
    private readonly self: { name: string; roles: readonly string[] },
    private readonly isLeader: () => boolean,
    private readonly heartbeatMs = 5_000,
    private readonly metrics?: () => NodeMetrics,
  ) {}

  start(): void {
    void this.beatNow();
    this.timer = setInterval(() => void this.beatNow(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Writes the heartbeat now (also when something it reports changed, such as the leadership). */
  async beatNow(): Promise<void> {
    const now = new Date();
    const node: ClusterNode = {
      name: this.self.name,
      roles: [...this.self.roles],
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      lastSeen: now.toISOString(),
      leader: this.isLeader(),
      ...(this.metrics ? { metrics: this.metrics() } : {}),
    };
    await this.kv
      .put({
        scope: SCOPE,
        key: `${PREFIX}${this.self.name}`,
        value: JSON.stringify(node),
        secret: false,
        // three missed beats, and never under 15 s, and the node is gone from the list and its work
        // taken over: a node late to write under load (a busy machine, a database restart) is not taken for dead
        expiresAt: new Date(now.getTime() + Math.max(3 * this.heartbeatMs, NODE_DEAD_AFTER_MS)).toISOString(),
        updatedAt: now.toISOString(),
      })
      .then(
        () => {
          // a write that took long (the store restarting: writes wait for it) is a gap too
          const at = Date.now();
          if (this.beatingSince === null || at - this.lastWritten > 2 * this.heartbeatMs) this.beatingSince = at;
          this.lastWritten = at;
        },
        () => void (this.beatingSince = null),
      );
  }

  /**
   * How long this node has written its heartbeat without a gap: what it has seen of the others
   * for as long. After a gap (the store unreachable) every node's heartbeat may have run out
   * meanwhile without that node being dead; only after NODE_DEAD_AFTER_MS of its own is an
   * expired heartbeat news of a death.
   */
  beatingFor(now = Date.now()): number {
    return this.beatingSince === null ? 0 : Math.max(0, now - this.beatingSince);
  }

  async nodes(): Promise<ClusterNode[]> {
    const keys = await this.kv.list(SCOPE, PREFIX);
    return keys.map((k) => JSON.parse(k.value) as ClusterNode).sort((a, b) => a.name.localeCompare(b.name));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.kv.delete(SCOPE, `${PREFIX}${this.self.name}`).catch(() => {});
  }
}

/** A node whose heartbeat is older than this is dead (whatever its heartbeat interval). */
export const NODE_DEAD_AFTER_MS = 15_000;

/** Where a node's heartbeat is kept: a worker takes over the work of a node whose heartbeat has expired. */
export function heartbeatKeyOf(name: string): { scope: string; key: string } {
  return { scope: SCOPE, key: `${PREFIX}${name}` };
}
