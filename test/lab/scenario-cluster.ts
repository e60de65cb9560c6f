/**
 * The end-to-end rig in distributed mode: the scenario's peers (scenario-peers.ts) and netreflex
 * as a cluster of `netreflex serve` processes on a real nats-server (JetStream) and PostgreSQL,
 * laid out by CLUSTER_LAYOUT. The lab's syslog goes to every sensor node (rsyslog sends each a
 * copy, as a load balancer that copies datagrams would), so one fault reaches the cluster twice.
 *
 * Every node gets the data directory an operator deploys to each machine: the same secrets key
 * (copied), known_hosts and pack config files. The inventory (from the lab's YAML, loaded by the
 * API node), the routers' credentials, the ticket system's API key and the users are in the shared
 * store, put there through the API.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Role } from '../../src/core/roles.js';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { bearerCall } from '../api/bearer-call.js';
import { startServeNode, type ServeNode } from '../cluster/serve-node.js';
import { credentialName } from './inventory.js';
import { startNatsServer } from './nats.js';
import { startPostgres } from './postgres.js';
import { adminToken, executionWaiter, type ScenarioAppliance, type ScenarioRigOptions } from './scenario-rig.js';
import { NOC_NICK, startScenarioPeers } from './scenario-peers.js';
import { freeUdpPort } from './snmp.js';

export interface ClusterNodeSpec {
  name: string;
  roles: readonly Role[];
}

/** The cluster's processes, one row each: every role on nodes of its own, workers two. */
export const CLUSTER_LAYOUT: readonly ClusterNodeSpec[] = [
  { name: 'sensor-a', roles: ['sensor'] },
  { name: 'sensor-b', roles: ['sensor'] },
  { name: 'rules', roles: ['rules'] },
  { name: 'worker-a', roles: ['worker'] },
  { name: 'worker-b', roles: ['worker'] },
  { name: 'api', roles: ['api'] },
];

export const CLUSTER_ADMIN_PASSWORD = 'scenario-cluster-admin-password-1';

export interface ClusterRig extends ScenarioAppliance {
  nodes: ServeNode[];
  /** The node whose API the scenario uses. */
  apiNode: ServeNode;
  /** Each sensor node's syslog port (the lab sends to all of them). */
  syslogPorts: number[];
  natsUrl: string;
}

export async function startClusterRig(opts: ScenarioRigOptions, layout: readonly ClusterNodeSpec[] = CLUSTER_LAYOUT): Promise<ClusterRig> {
  const sensorNodes = layout.filter((n) => n.roles.includes('sensor'));
  const apiSpec = layout.find((n) => n.roles.includes('api'));
  if (!sensorNodes.length || !apiSpec) throw new Error('cluster rig: the layout needs a sensor node and an API node');
  const syslogPorts = await Promise.all(sensorNodes.map(() => freeUdpPort()));
  const [natsStarted, pgStarted, peersStarted] = await Promise.allSettled([
    startNatsServer(),
    startPostgres(),
    startScenarioPeers({ ...opts, syslogPort: syslogPorts[0]!, syslogCopyPorts: syslogPorts.slice(1), sflowPort: await freeUdpPort() }),
  ]);
  const infra = [natsStarted, pgStarted, peersStarted];
  const stopStarted = async (): Promise<void> => {
    for (const s of infra) if (s.status === 'fulfilled') await s.value.stop().catch(() => {});
  };
  const failed = infra.find((s) => s.status === 'rejected');
  if (failed) {
    await stopStarted();
    throw (failed as PromiseRejectedResult).reason;
  }
  const nats = (natsStarted as PromiseFulfilledResult<Awaited<ReturnType<typeof startNatsServer>>>).value;
  const pg = (pgStarted as PromiseFulfilledResult<Awaited<ReturnType<typeof startPostgres>>>).value;
  const peers = (peersStarted as PromiseFulfilledResult<Awaited<ReturnType<typeof startScenarioPeers>>>).value;
  // the nodes stop before nats-server and PostgreSQL, and those before the peers
  peers.onStop(() => pg.stop());
  peers.onStop(() => nats.stop());
  const nodes: ServeNode[] = [];
  peers.onStop(async () => void (await Promise.all(nodes.map((n) => n.stop()))));
  try {
    const store = await pg.createDatabase('scenario');
    // one secrets key for the cluster, made once and copied to every node's data directory
    const keyDir = path.join(peers.dir, 'key');
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    SecretCipher.loadOrCreate(keyDir);
    const dataDirOf = (name: string): string => {
      const d = path.join(peers.dir, name);
      mkdirSync(d, { recursive: true, mode: 0o700 });
      copyFileSync(path.join(keyDir, 'secrets.key'), path.join(d, 'secrets.key'));
      peers.writeDataDir(d);
      return d;
    };
    const start = async (spec: ClusterNodeSpec): Promise<ServeNode> => {
      const args = ['--role', spec.roles.join(','), '--bus', nats.url, '--store', store, '--node-name', spec.name];
      const sensorAt = sensorNodes.indexOf(spec);
      if (sensorAt >= 0) args.push('--sensor-host', '127.0.0.1', '--syslog-port', String(syslogPorts[sensorAt]), '--trap-port', 'off', '--sflow-port', 'off');
      else args.push('--no-sensors');
      if (spec === apiSpec) args.push('--port', '0', '--inventory', peers.lab.inventoryDir);
      else if (spec.roles.includes('api')) args.push('--port', '0');
      else args.push('--no-api');
      // six processes compile and start at once: on a busy two-core machine that takes a while
      const node = await startServeNode({
        name: spec.name,
        dataDir: dataDirOf(spec.name),
        args,
        env: { NETREFLEX_ADMIN_PASSWORD: CLUSTER_ADMIN_PASSWORD },
        startTimeoutMs: 240_000,
      });
      nodes.push(node);
      return node;
    };
    await Promise.all(layout.map(start));
    const apiNode = nodes.find((n) => n.name === apiSpec.name)!;
    const apiUrl = apiNode.url!;
    const token = await adminToken(apiUrl, CLUSTER_ADMIN_PASSWORD);
    const api = bearerCall(
      () => apiUrl,
      () => token,
    );
    for (const r of peers.lab.routers)
      await api('PUT', `/api/v1/keys/system/credential.${credentialName(r.name)}`, {
        value: JSON.stringify({ username: r.ssh.username, password: r.ssh.password }),
        encrypt: true,
      });
    if (peers.redmine) await api('PUT', '/api/v1/configs/ticket/api_key', { value: peers.redmine.apiKey });
    await api('POST', '/api/v1/users', { name: NOC_NICK, password: 'scenario-noc-password-1', role: 'operator' });
    const { writeDataDir: _w, onStop: _o, ...shared } = peers;
    return { ...shared, apiUrl, api, waitExecution: executionWaiter(api), nodes, apiNode, syslogPorts, natsUrl: nats.url };
  } catch (e) {
    await peers.stop();
    throw e;
  }
}
