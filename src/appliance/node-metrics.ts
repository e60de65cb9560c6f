import type { NatsBusCounts } from '../events/nats-event-bus.js';

/**
 * One node's own counters, as it reports them in its heartbeat: what it handed to and took from
 * the event bus, what its sensors heard, the executions it is running, whether it fires the
 * timers, and what the process costs (CPU seconds, resident memory). `cluster status` and the
 * API's /metrics read every node's figures from the heartbeats, so one place shows them all.
 */
/** What the node handed to and took from the event bus: the bus's own counters (NatsEventBus.counts). */
export type NodeBusCounts = NatsBusCounts;

export interface NodeMetrics {
  bus: NodeBusCounts | null;
  /** Messages received per sensor on this node (`syslog` -> n). */
  sensors: Record<string, number>;
  /**
   * Per poller on this node (`poller:<pack>.<name>`): the devices it selected in its last round
   * (a cluster's rules nodes share them by partition) and its readings since start, ok and failed.
   */
  pollers?: Record<string, { devices: number; polled: number; failed: number }>;
  /** What became of events this node recorded itself (the embedded intake: stored, coalesced, shed...). */
  intake: Record<string, number>;
  /** Executions held by this node's engine (started here, not finished). */
  executionsRunning: number;
  timerLeader: boolean;
  /** User + system CPU time of the process since it started. */
  cpuSeconds: number;
  rssBytes: number;
  uptimeSeconds: number;
}

export interface NodeMetricSources {
  bus?: () => NodeBusCounts;
  sensors?: () => Record<string, Record<string, number>>;
  pollers?: () => Record<string, Record<string, number>>;
  intake?: () => Readonly<Record<string, number>>;
  executionsRunning?: () => number;
  timerLeader: () => boolean;
}

export function nodeMetrics(src: NodeMetricSources): NodeMetrics {
  const cpu = process.cpuUsage();
  const sensors: Record<string, number> = {};
  for (const [name, counters] of Object.entries(src.sensors?.() ?? {})) sensors[name] = counters.received ?? 0;
  return {
    bus: src.bus ? { ...src.bus() } : null,
    sensors,
    ...(src.pollers
      ? {
          pollers: Object.fromEntries(
            Object.entries(src.pollers()).map(([name, c]) => [name, { devices: c.devices ?? 0, polled: c.polled ?? 0, failed: c.failed ?? 0 }]),
          ),
        }
      : {}),
    intake: { ...(src.intake?.() ?? {}) },
    executionsRunning: src.executionsRunning?.() ?? 0,
    timerLeader: src.timerLeader(),
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1_000) / 1_000,
    rssBytes: process.memoryUsage.rss(),
    uptimeSeconds: Math.round(process.uptime()),
  };
}
