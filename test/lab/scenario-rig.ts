/**
 * The end-to-end rig of the four jobs (issue 13): the lab, a netreflex appliance assembled as
 * `serve` assembles it (API, sensors, chat bot) in this process, and the real systems around it -
 * Redmine for tickets, ngircd for chat, an internal-sftp server for log bundles. Everything starts
 * in parallel once per test file and stops in `stop()`.
 *
 * The lab's syslog and sFlow go to the appliance's sensor ports (chosen free before the lab starts);
 * the routers are in the appliance's inventory with their credentials and host keys, as
 * `lab:up --appliance` would leave them.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAppliance, type AssembledAppliance } from '../../src/assembly.js';
import type { Appliance } from '../../src/appliance.js';
import { AuthService } from '../../src/auth/auth-service.js';
import { loadConfig, REPO_ROOT } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { PackConfigStore } from '../../src/datastore/pack-config-store.js';
import { IrcUser } from '../chat/irc-user.js';
import { startNgircd, type Ngircd } from '../chat/ngircd.js';
import { credentialName } from './inventory.js';
import { labUp, type Lab } from './lab.js';
import { startRedmine, type Redmine } from './redmine.js';
import { startSftpServer, type SftpServer } from './sftp-server.js';
import { freeUdpPort } from './snmp.js';
import { bearerCall, type ApiCall } from '../api/bearer-call.js';

export const CHAT_CHANNEL = '#noc';
export const BOT_NICK = 'nrxbot';
/** The chat nick of the person in the channel; it maps to the netreflex operator of the same name. */
export const NOC_NICK = 'noc';
export const ADMIN_PASSWORD = 'scenario-admin-password-1';

export interface ScenarioRigOptions {
  /** Goes into the temp dir's name (nrx-scenario-<name>-). */
  name: string;
  redmine?: boolean;
  chat?: boolean;
  sftp?: boolean;
  /** Extra pack config files under <dataDir>/configs (file name -> YAML text). */
  configs?: Record<string, string>;
  /** How long to wait for another test's lab (default 900 s: the scenario files take turns on the one lab). */
  labLockWaitMs?: number;
}

export interface ScenarioRig {
  lab: Lab;
  assembled: AssembledAppliance;
  appliance: Appliance;
  /** UDP ports of the appliance's sensors (listening on 0.0.0.0). */
  ports: { syslog: number; trap: number; sflow: number };
  apiUrl: string;
  /** The REST API as admin; throws on a non-2xx answer with the status and body. */
  api: ApiCall;
  dir: string;
  dataDir: string;
  knownHostsFile: string;
  redmine?: Redmine;
  sftp?: SftpServer;
  irc?: Ngircd;
  /** A person in #noc (nick `noc`, the netreflex operator `noc`). */
  noc?: IrcUser;
  /** What the bot said in #noc so far. */
  said(): string[];
  /** The first line the bot said in #noc that matches (waits for it). */
  waitSaid(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startScenarioRig(opts: ScenarioRigOptions): Promise<ScenarioRig> {
  const dir = mkdtempSync(path.join(tmpdir(), `nrx-scenario-${opts.name}-`));
  const dataDir = path.join(dir, 'data');
  mkdirSync(path.join(dataDir, 'configs'), { recursive: true, mode: 0o700 });
  const ports = { syslog: await freeUdpPort(), trap: await freeUdpPort(), sflow: await freeUdpPort() };
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.allSettled([
      labUp({ syslogPort: ports.syslog, sflowPort: ports.sflow, lockWaitMs: opts.labLockWaitMs ?? 900_000 }),
      opts.redmine ? startRedmine() : Promise.resolve(undefined),
      opts.chat ? startNgircd() : Promise.resolve(undefined),
      opts.sftp ? startSftpServer(dir) : Promise.resolve(undefined),
    ]);
    for (const s of started)
      if (s.status === 'fulfilled' && s.value) {
        const peer = s.value;
        stops.push(async () => void ('down' in peer ? await peer.down() : await peer.stop()));
      }
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const lab = (started[0] as PromiseFulfilledResult<Lab>).value;
    const redmine = (started[1] as PromiseFulfilledResult<Redmine | undefined>).value;
    const irc = (started[2] as PromiseFulfilledResult<Ngircd | undefined>).value;
    const sftp = (started[3] as PromiseFulfilledResult<SftpServer | undefined>).value;

    // one known_hosts for the routers and the log server, as an operator keeps it
    const knownHostsFile = path.join(dataDir, 'known_hosts');
    writeFileSync(knownHostsFile, readFileSync(lab.knownHostsPath, 'utf8'), { mode: 0o600 });
    if (sftp) appendFileSync(knownHostsFile, `${sftp.address} ${sftp.hostPublicKey}\n`);
    const configs: Record<string, string> = { ...(opts.configs ?? {}) };
    if (redmine) configs['ticket.yaml'] = `system: redmine\nurl: ${redmine.url}\nproject: ${redmine.project}\n`;
    if (sftp)
      configs['files.yaml'] = `upload: sftp\nsftp:\n  host: ${sftp.address}\n  username: ${sftp.username}\n  password: ${sftp.password}\n  directory: upload\n`;
    if (irc)
      configs['chatops.yaml'] = [
        'bot:',
        '  enabled: true',
        `  users: {${NOC_NICK}: ${NOC_NICK}}`,
        `  notify_channel: "${CHAT_CHANNEL}"`,
        `  irc: {host: ${irc.host}, port: ${irc.port}, nick: ${BOT_NICK}, channels: ["${CHAT_CHANNEL}"]}`,
        '',
      ].join('\n');
    for (const [file, text] of Object.entries(configs)) writeFileSync(path.join(dataDir, 'configs', file), text, { mode: 0o600 });

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
    stops.push(() => assembled.stop());
    if (!apiUrl) throw new Error('scenario rig: the appliance did not say where its API listens');
    const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    if (!login.ok) throw new Error(`scenario rig: admin login: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };

    let noc: IrcUser | undefined;
    if (irc) {
      noc = new IrcUser(NOC_NICK);
      await noc.connect(irc.host, irc.port, CHAT_CHANNEL);
      const person = noc;
      stops.push(async () => person.close());
    }
    const said = (): string[] => (noc ? noc.heard.filter((h) => h.from === BOT_NICK && h.target === CHAT_CHANNEL).map((h) => h.text) : []);

    return {
      lab,
      assembled,
      appliance,
      ports,
      apiUrl,
      api: bearerCall(
        () => apiUrl,
        () => token,
      ),
      dir,
      dataDir,
      knownHostsFile,
      ...(redmine ? { redmine } : {}),
      ...(sftp ? { sftp } : {}),
      ...(irc ? { irc } : {}),
      ...(noc ? { noc } : {}),
      said,
      async waitSaid(pred, timeoutMs = 30_000) {
        if (!noc) throw new Error('scenario rig: started without chat');
        let found: string | undefined;
        await noc.until(
          () => (found = said().find(pred)) !== undefined,
          `${BOT_NICK} saying the expected line in ${CHAT_CHANNEL}; said: ${JSON.stringify(said())}`,
          timeoutMs,
        );
        return found!;
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
