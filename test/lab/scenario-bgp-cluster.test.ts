// The BGP-peer-down scenario (scenario-bgp.ts) against netreflex in distributed mode: sensor, rules,
// worker and API roles as separate `netreflex serve` processes (CLUSTER_LAYOUT) on a real
// nats-server and PostgreSQL. The lab's syslog reaches every sensor node, so each fault is published
// to the bus once per sensor node; the scenario's checks (one event, one remediation per fault)
// hold, and this file also watches the bus to show that each line did arrive that many times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { labGuard } from './guard.js';
import { natsGuard } from './nats.js';
import { postgresGuard } from './postgres.js';
import { redmineGuard } from './redmine.js';
import { describeBgpPeerDown } from './scenario-bgp.js';
import { CLUSTER_LAYOUT, startClusterRig, type ClusterRig } from './scenario-cluster.js';

/** What the sensor nodes published to the bus: every publish, the duplicates JetStream drops included. */
interface Published {
  msgId: string;
  event: { type: string; payload: Record<string, unknown> };
}

let watcher: NatsConnection | null = null;
const published: Published[] = [];

describeBgpPeerDown({
  where: `distributed (${CLUSTER_LAYOUT.map((n) => n.roles.join('+')).join(', ')})`,
  suite: { skip: labGuard() || redmineGuard() || postgresGuard() || natsGuard(), timeout: 600_000 },
  async start() {
    const rig = await startClusterRig({ name: 'bgp-cluster', redmine: true, chat: true, sftp: true });
    try {
      // a plain NATS subscription sees each publish to the stream's subjects, as sent
      watcher = await connect({ servers: rig.natsUrl, name: 'scenario-bgp-cluster watcher' });
      watcher.subscribe('nrx.events.>', {
        callback: (err, m) => {
          if (!err) published.push({ msgId: m.headers?.get('Nats-Msg-Id') ?? '', event: m.json() });
        },
      });
      await watcher.flush();
    } catch (e) {
      await rig.stop();
      throw e;
    }
    const stop = rig.stop;
    return {
      ...rig,
      async stop() {
        await watcher?.close().catch(() => {});
        await stop();
      },
    };
  },
  more(rig) {
    test('every node of the layout is in the cluster view with its roles', async () => {
      const view = await rig().api<{ store: { kind: string }; nodes: Array<{ name: string; roles: string[] }> }>('GET', '/api/v1/cluster');
      assert.equal(view.store.kind, 'postgres');
      assert.deepEqual(
        view.nodes.map((n) => [n.name, [...n.roles].sort().join(',')]).sort(),
        CLUSTER_LAYOUT.map((n) => [n.name, [...n.roles].sort().join(',')]).sort(),
      );
    });

    test("each of leaf1's Down lines reached the bus from every sensor node and is one event", async () => {
      const sensors = (rig() as ClusterRig).syslogPorts.length;
      const downs = published.filter(
        (p) =>
          p.event.type === 'network.bgp_peer_state_changed' &&
          p.event.payload.device === 'leaf1' &&
          p.event.payload.peer === '10.0.1.1' &&
          p.event.payload.state !== 'established',
      );
      const copies = new Map<string, number>();
      for (const d of downs) copies.set(d.msgId, (copies.get(d.msgId) ?? 0) + 1);
      // the kill, the shutdown and the two repeats of the scenario
      assert.ok(copies.size >= 3, `leaf1's Down lines on the bus: ${JSON.stringify(downs)}`);
      assert.deepEqual(
        [...copies.values()],
        [...copies.keys()].map(() => sensors),
        'each line published once by each sensor node',
      );
      const { items } = await rig().api<{ items: Array<{ payload: Record<string, unknown> }> }>(
        'GET',
        '/api/v1/events?type=network.bgp_peer_state_changed&limit=500',
      );
      const recorded = items.filter((e) => e.payload.device === 'leaf1' && e.payload.peer === '10.0.1.1' && e.payload.state !== 'established');
      assert.equal(recorded.length, copies.size, 'one event per line');
    });
  },
});
