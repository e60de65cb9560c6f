import { Gauge, type Registry } from 'prom-client';
import type { ClusterView } from '../appliance/cluster-membership.js';
import type { NodeMetrics } from '../appliance/node-metrics.js';

/**
 * Every node's counters, from the heartbeats in the shared store, on this API's /metrics with a
 * `node` label: one scrape of any API node shows the whole cluster. The figures are those of each
 * node's last heartbeat (every 5 s), so they lag by up to one beat.
 */
export function registerClusterMetrics(registry: Registry, cluster: () => Promise<ClusterView>): void {
  const registers = [registry];
  // one read of the heartbeats per scrape, shared by the gauges below
  let pending: Promise<Array<{ name: string; metrics: NodeMetrics; lastSeen: string }>> | null = null;
  const nodes = async (): Promise<Array<{ name: string; metrics: NodeMetrics; lastSeen: string }>> => {
    pending ??= cluster()
      .then((v) => v.nodes.flatMap((n) => (n.metrics ? [{ name: n.name, metrics: n.metrics, lastSeen: n.lastSeen }] : [])))
      .catch(() => [])
      .finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    values: (m: NodeMetrics, lastSeen: string) => Array<[Record<string, string>, number]>,
  ): void =>
    void new Gauge({
      name,
      help,
      labelNames: ['node', ...labelNames],
      registers,
      async collect() {
        this.reset();
        for (const n of await nodes()) for (const [labels, v] of values(n.metrics, n.lastSeen)) this.set({ node: n.name, ...labels }, v);
      },
    });

  gauge(
    'netreflex_node_bus_events',
    "Per node, since it started: events published to the bus, duplicates (the bus had them already), publish_retries, buffered (waiting in the node's outbox), lost (outbox full), consumed (taken and recorded by a rules node), redelivered",
    ['counter'],
    (m) =>
      m.bus
        ? [
            [{ counter: 'published' }, m.bus.published],
            [{ counter: 'duplicates' }, m.bus.duplicates],
            [{ counter: 'publish_retries' }, m.bus.publishRetries],
            [{ counter: 'buffered' }, m.bus.buffered],
            [{ counter: 'lost' }, m.bus.lost],
            [{ counter: 'consumed' }, m.bus.consumed],
            [{ counter: 'redelivered' }, m.bus.redelivered],
          ]
        : [],
  );
  gauge('netreflex_node_sensor_received', 'Per node and sensor listener, since the node started: messages received', ['sensor'], (m) =>
    Object.entries(m.sensors).map(([sensor, v]) => [{ sensor }, v]),
  );
  gauge(
    'netreflex_node_event_intake',
    "Per node, since it started: what became of the events it recorded itself (the appliance's intake counters)",
    ['counter'],
    (m) => Object.entries(m.intake).map(([counter, v]) => [{ counter }, v]),
  );
  gauge('netreflex_node_executions_running', 'Per node: executions held by its engine (started there, not finished)', [], (m) => [[{}, m.executionsRunning]]);
  gauge('netreflex_node_timer_leader', 'Per node: 1 on the node that fires the timers', [], (m) => [[{}, m.timerLeader ? 1 : 0]]);
  gauge('netreflex_node_cpu_seconds', 'Per node: user + system CPU seconds of its process since it started', [], (m) => [[{}, m.cpuSeconds]]);
  gauge('netreflex_node_resident_memory_bytes', "Per node: its process's resident memory", [], (m) => [[{}, m.rssBytes]]);
  gauge('netreflex_node_uptime_seconds', 'Per node: seconds since its process started', [], (m) => [[{}, m.uptimeSeconds]]);
  gauge(
    'netreflex_node_heartbeat_age_seconds',
    'Per node: seconds since its last heartbeat (a node beats every 5 s and drops out after 15 s)',
    [],
    (_m, lastSeen) => [[{}, Math.max(0, (Date.now() - Date.parse(lastSeen)) / 1000)]],
  );
}
