/**
 * A distributed appliance on loopback for the kill test and the cluster bench: every process of
 * a layout (one row per process: its name and roles) as its own `netreflex serve`, on one real
 * nats-server and one real PostgreSQL database. Sensor nodes keep their syslog port across
 * restarts (as a node behind a fixed address would), API nodes their API port.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bearerCall, type ApiCall } from '../api/bearer-call.js';
import { freePort } from '../lab/ssh.js';
import { startServeNode, type ServeNode } from './serve-node.js';

export interface NodeSpec {
  name: string;
  /** `--role` of the process. */
  roles: string;
}

/**
 * The kill test's processes, as issue 17 lays the cluster out: 2 sensor, 2 rules, 3 worker and
 * 1 API process, each role on its own (rules nodes record the executions they ask for, workers
 * claim and run them, the API node reads the shared store).
 */
export const KILL_TEST_LAYOUT: readonly NodeSpec[] = [
  { name: 'sensor-1', roles: 'sensor' },
  { name: 'sensor-2', roles: 'sensor' },
  { name: 'rules-1', roles: 'rules' },
  { name: 'rules-2', roles: 'rules' },
  { name: 'worker-1', roles: 'worker' },
  { name: 'worker-2', roles: 'worker' },
  { name: 'worker-3', roles: 'worker' },
  { name: 'api-1', roles: 'api' },
];

export const ADMIN_PASSWORD = 'cluster-admin-password-1';

export interface ClusterOptions {
  root: string;
  layout: readonly NodeSpec[];
  natsUrl: string;
  storeUrl: string;
  packsPaths: string[];
  /** Extra environment for every node. */
  env?: Record<string, string>;
  /** Run before the sensor nodes start (the inventory they attribute syslog with). */
  beforeSensors?: (api: ApiCall) => Promise<void>;
  /** Start only these nodes of the layout (default all); the others with startNode() later. */
  initial?: readonly string[];
}

export class LoopbackCluster {
  readonly nodes = new Map<string, ServeNode>();
  private readonly fixedPorts = new Map<string, number>();
  private token = '';
  private apiNode = '';
  /** A REST call to the first API node (following it across restarts). */
  readonly api: ApiCall = bearerCall(
    () => this.nodes.get(this.apiNode)?.url ?? 'http://127.0.0.1:1',
    () => this.token,
  );

  private constructor(private readonly o: ClusterOptions) {}

  static async start(o: ClusterOptions): Promise<LoopbackCluster> {
    const c = new LoopbackCluster(o);
    const apis = o.layout.filter((n) => n.roles.split(',').includes('api'));
    if (!apis.length) throw new Error('the layout needs a node with the api role');
    c.apiNode = apis[0]!.name;
    // the first API node creates the secrets key the others copy (as an operator copies it to each node)
    await c.startNode(apis[0]!.name);
    const now = o.layout.filter((n) => n.name !== c.apiNode && (!o.initial || o.initial.includes(n.name)));
    const sensors = now.filter((n) => n.roles === 'sensor').map((n) => n.name);
    await o.beforeSensors?.(c.api);
    await Promise.all(now.filter((n) => !sensors.includes(n.name)).map((n) => c.startNode(n.name)));
    await Promise.all(sensors.map((n) => c.startNode(n)));
    return c;
  }

  spec(name: string): NodeSpec {
    const s = this.o.layout.find((n) => n.name === name);
    if (!s) throw new Error(`no node ${name} in the layout`);
    return s;
  }

  /** The syslog UDP ports of the sensor nodes started so far (fixed for the cluster's life). */
  syslogPorts(): number[] {
    return this.o.layout.filter((n) => n.roles === 'sensor' && this.fixedPorts.has(n.name)).map((n) => this.fixedPorts.get(n.name)!);
  }

  async startNode(name: string): Promise<ServeNode> {
    const spec = this.spec(name);
    const roles = spec.roles.split(',');
    const dataDir = path.join(this.o.root, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (name !== this.apiNode) copyFileSync(path.join(this.o.root, this.apiNode, 'secrets.key'), path.join(dataDir, 'secrets.key'));
    const port = this.fixedPorts.get(name) ?? (roles.includes('api') ? await freePort() : 0);
    const args = ['--role', spec.roles, '--bus', this.o.natsUrl, '--store', this.o.storeUrl, '--node-name', name];
    for (const p of this.o.packsPaths) args.push('--packs-path', p);
    if (roles.includes('sensor'))
      args.push('--sensor-host', '127.0.0.1', '--syslog-port', String(port), '--trap-port', 'off', '--sflow-port', 'off', '--no-api');
    else args.push('--no-sensors', ...(roles.includes('api') ? ['--port', String(port)] : ['--no-api']));
    const node = await startServeNode({
      name,
      dataDir,
      args,
      env: { NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD, NETREFLEX_HEARTBEAT_MS: '1000', ...(this.o.env ?? {}) },
    });
    this.nodes.set(name, node);
    if (roles.includes('sensor')) this.fixedPorts.set(name, node.ports['syslog/udp']!);
    else if (roles.includes('api')) this.fixedPorts.set(name, port);
    if (name === this.apiNode) await this.login();
    return node;
  }

  private async login(): Promise<void> {
    const res = await fetch(`${this.nodes.get(this.apiNode)!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    this.token = ((await res.json()) as { token: string }).token;
  }

  /** SIGKILL, as a machine or process that dies. */
  async kill(name: string): Promise<void> {
    await this.nodes.get(name)?.kill();
  }

  /** What every node said on stderr (for a failure message). */
  said(): string {
    return [...this.nodes.values()].map((n) => `--- ${n.name}\n${n.said().slice(-4_000)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop().catch(() => {})));
  }
}
