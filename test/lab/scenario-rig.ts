/**
 * The end-to-end rig of the four jobs (issue 13): the scenario's peers (the lab, Redmine, ngircd,
 * internal-sftp: scenario-peers.ts) and a netreflex appliance assembled as `serve` assembles it
 * (API, sensors, chat bot) in this process. Everything starts once per test file and stops in
 * `stop()`.
 *
 * The lab's syslog and sFlow go to the appliance's sensor ports (chosen free before the lab starts);
 * the routers are in the appliance's inventory with their credentials and host keys, as
 * `lab:up --appliance` would leave them.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildAppliance, type AssembledAppliance } from '../../src/assembly.js';
import type { Appliance } from '../../src/appliance.js';
import { AuthService } from '../../src/auth/auth-service.js';
import { loadConfig, REPO_ROOT } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { PackConfigStore } from '../../src/datastore/pack-config-store.js';
import { credentialName } from './inventory.js';
import { NOC_NICK, startScenarioPeers, type ScenarioPeers, type ScenarioPeersOptions } from './scenario-peers.js';
import { freeUdpPort } from './snmp.js';
import { bearerCall, type ApiCall } from '../api/bearer-call.js';
import { TERMINAL_STATUSES } from '../../src/store/records.js';

export { BOT_NICK, CHAT_CHANNEL, NOC_NICK } from './scenario-peers.js';
export const ADMIN_PASSWORD = 'scenario-admin-password-1';

export type ScenarioRigOptions = Omit<ScenarioPeersOptions, 'syslogPort' | 'syslogCopyPorts' | 'sflowPort'>;

/** What a scenario needs of the appliance under test, however it runs: its REST API and the peers. */
export interface ScenarioAppliance extends Omit<ScenarioPeers, 'writeDataDir' | 'onStop'> {
  apiUrl: string;
  /** The REST API as admin; throws on a non-2xx answer with the status and body. */
  api: ApiCall;
  /** The execution once it ended (read through the API). */
  waitExecution<T = unknown>(id: string, timeoutMs?: number): Promise<T>;
}

export interface ScenarioRig extends ScenarioAppliance {
  assembled: AssembledAppliance;
  appliance: Appliance;
  /** UDP ports of the appliance's sensors (listening on 0.0.0.0). */
  ports: { syslog: number; trap: number; sflow: number };
  dataDir: string;
  knownHostsFile: string;
}

/** Polls GET /api/v1/executions/<id> until the execution has ended. */
export function executionWaiter(api: ApiCall): ScenarioAppliance['waitExecution'] {
  return async <T>(id: string, timeoutMs = 120_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = await api<{ status: string }>('GET', `/api/v1/executions/${encodeURIComponent(id)}`);
      if (TERMINAL_STATUSES.has(e.status as never)) return e as T;
      if (Date.now() > end) throw new Error(`execution ${id} still ${e.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
}

export async function startScenarioRig(opts: ScenarioRigOptions): Promise<ScenarioRig> {
  const ports = { syslog: await freeUdpPort(), trap: await freeUdpPort(), sflow: await freeUdpPort() };
  const peers = await startScenarioPeers({ ...opts, syslogPort: ports.syslog, sflowPort: ports.sflow });
  try {
    const { lab, redmine } = peers;
    const dataDir = path.join(peers.dir, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const knownHostsFile = peers.writeDataDir(dataDir);

    let apiUrl = '';
    const assembled = buildAppliance({
      config: loadConfig({ dataDir }, {}),
      api: { host: '127.0.0.1', port: 0 },
      sensors: { host: '0.0.0.0', syslogUdpPort: ports.syslog, syslogTcpPort: null, syslogTls: null, trapPort: ports.trap, sflowPort: ports.sflow },
      inventoryDir: lab.inventoryDir,
      log: silentLogger,
      say: (line) => {
        const m = /API on (http:\/\/\S+)/.exec(line);
        if (m) apiUrl = m[1]!;
      },
    });
    const appliance = assembled.appliance;
    for (const r of lab.routers) await appliance.credentials.set(credentialName(r.name), { username: r.ssh.username, password: r.ssh.password });
    if (redmine) await new PackConfigStore(appliance.kv, dataDir).set('ticket', path.join(REPO_ROOT, 'packs', 'ticket'), 'api_key', redmine.apiKey);
    const auth = new AuthService(appliance.store);
    await auth.createUser({ name: 'admin', password: ADMIN_PASSWORD, role: 'admin' });
    await auth.createUser({ name: NOC_NICK, password: 'scenario-noc-password-1', role: 'operator' });
    await assembled.start();
    peers.onStop(() => assembled.stop());
    if (!apiUrl) throw new Error('scenario rig: the appliance did not say where its API listens');
    const token = await adminToken(apiUrl, ADMIN_PASSWORD);
    const api = bearerCall(
      () => apiUrl,
      () => token,
    );
    const { writeDataDir: _w, onStop: _o, ...shared } = peers;
    return { ...shared, assembled, appliance, ports, apiUrl, api, waitExecution: executionWaiter(api), dataDir, knownHostsFile };
  } catch (e) {
    await peers.stop();
    throw e;
  }
}

/** A login token of the API's admin. */
export async function adminToken(apiUrl: string, password: string): Promise<string> {
  const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password }),
  });
  if (!login.ok) throw new Error(`scenario rig: admin login: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}
