/**
 * The real systems around the appliance in the end-to-end scenarios (issue 13): the lab, Redmine
 * for tickets, ngircd for chat (with a person in #noc), an internal-sftp server for log bundles.
 * They start in parallel once per test file; whichever appliance the scenario runs (assembled in
 * this process, or a cluster of `serve` processes) gets a data directory from `writeDataDir`.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IrcUser } from '../chat/irc-user.js';
import { startNgircd, type Ngircd } from '../chat/ngircd.js';
import { labUp, type Lab } from './lab.js';
import { startRedmine, type Redmine } from './redmine.js';
import { startSftpServer, type SftpServer } from './sftp-server.js';

export const CHAT_CHANNEL = '#noc';
export const BOT_NICK = 'nrxbot';
/** The chat nick of the person in the channel; it maps to the netreflex operator of the same name. */
export const NOC_NICK = 'noc';

export interface ScenarioPeersOptions {
  /** Goes into the temp dir's name (nrx-scenario-<name>-). */
  name: string;
  redmine?: boolean;
  chat?: boolean;
  sftp?: boolean;
  /** Extra pack config files under <dataDir>/configs (file name -> YAML text). */
  configs?: Record<string, string>;
  /** How long to wait for another test's lab (default 900 s: the scenario files take turns on the one lab). */
  labLockWaitMs?: number;
  /** Where the lab sends its syslog and sFlow (the appliance's sensor ports). */
  syslogPort: number;
  /** More ports that get a copy of every syslog message (further sensor nodes). */
  syslogCopyPorts?: number[];
  sflowPort: number;
}

export interface ScenarioPeers {
  lab: Lab;
  /** The test file's temp dir (removed by stop()). */
  dir: string;
  redmine?: Redmine;
  sftp?: SftpServer;
  irc?: Ngircd;
  /** A person in #noc (nick `noc`, the netreflex operator `noc`). */
  noc?: IrcUser;
  /**
   * An appliance's data directory as an operator leaves it: known_hosts for the routers and the
   * log server, the pack config files (ticket, files, chatops). Returns the known_hosts path.
   */
  writeDataDir(dataDir: string): string;
  /** What the bot said in #noc so far. */
  said(): string[];
  /** The first line the bot said in #noc that matches (waits for it). */
  waitSaid(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Things to stop before the peers (the appliance), last in, first out. */
  onStop(stop: () => Promise<void>): void;
  stop(): Promise<void>;
}

export async function startScenarioPeers(opts: ScenarioPeersOptions): Promise<ScenarioPeers> {
  const dir = mkdtempSync(path.join(tmpdir(), `nrx-scenario-${opts.name}-`));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.allSettled([
      labUp({
        syslogPort: opts.syslogPort,
        sflowPort: opts.sflowPort,
        ...(opts.syslogCopyPorts ? { syslogCopyPorts: opts.syslogCopyPorts } : {}),
        lockWaitMs: opts.labLockWaitMs ?? 900_000,
      }),
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
      dir,
      ...(redmine ? { redmine } : {}),
      ...(sftp ? { sftp } : {}),
      ...(irc ? { irc } : {}),
      ...(noc ? { noc } : {}),
      writeDataDir(dataDir) {
        mkdirSync(path.join(dataDir, 'configs'), { recursive: true, mode: 0o700 });
        const knownHostsFile = path.join(dataDir, 'known_hosts');
        writeFileSync(knownHostsFile, readFileSync(lab.knownHostsPath, 'utf8'), { mode: 0o600 });
        if (sftp) appendFileSync(knownHostsFile, `${sftp.address} ${sftp.hostPublicKey}\n`);
        for (const [file, text] of Object.entries(configs)) writeFileSync(path.join(dataDir, 'configs', file), text, { mode: 0o600 });
        return knownHostsFile;
      },
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
      onStop: (stop) => void stops.push(stop),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
