/**
 * `npm run demo`: the operator's tour in one command. It brings the lab up wired to a netreflex
 * appliance (with Redmine when it is installed or installable, ngircd with the chat bot in #noc,
 * an SFTP server for the log bundles), runs scenario 1 live - spine1's bgpd killed and started
 * again (repaired), then spine1 shutting its neighbor leaf1 (escalated: ticket + chat) - with
 * `netreflex execution tail` following each remediation as it happens, prints where to look, and
 * takes everything down on Ctrl-C. Root only (the lab's namespaces).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/config.js';
import { labSkipReason } from '../lab/guard.js';
import { redmineGuard } from '../lab/redmine.js';
import { ADMIN_PASSWORD, BOT_NICK, CHAT_CHANNEL, startScenarioRig, type ScenarioRig } from '../lab/scenario-rig.js';

/** Short, so the tour takes a minute; the shipped values are 15 s and 120 s. */
const HOLD_DOWN = '2s';
const RECOVERY_TIMEOUT = '15s';

interface Execution {
  id: string;
  status: string;
  outcome: string | null;
  parameters: Record<string, unknown>;
  createdAt: string;
  tasks: Array<{ taskName: string }>;
  result: { output?: Record<string, any> } | null;
}

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let rig: ScenarioRig | undefined;
let tail: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

/** Ctrl-C at any point: the tail, the appliance, Redmine, ngircd, the SFTP server and the lab go down. */
function stopAll(code: number): Promise<void> {
  stopping ??= (async () => {
    say('\nstopping: the appliance, Redmine, ngircd, the SFTP server and the lab ...');
    tail?.kill('SIGINT');
    await rig?.stop().catch((e) => say(`  stop: ${(e as Error).message}`));
    say('the lab is down (`npm run lab:status` says so)');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stopAll(0));
// Ctrl-C reaches the whole process group: ngircd dies with it, and the chat user's socket then
// errors as it says goodbye. Nothing may cut the cleanup short: say it and go on.
process.on('uncaughtException', (e) => {
  say(`  (${e.message})`);
  if (!stopping) void stopAll(1);
});
process.on('SIGTERM', () => void stopAll(0));

/**
 * `netreflex execution tail --device D`: follows the next remediation on that device, printed as it
 * happens. Resolves once the tail is listening, so the fault comes after it.
 */
async function startTail(apiUrl: string, apiKey: string, device: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'execution', 'tail', '--device', device, '--url', apiUrl],
    { cwd: REPO_ROOT, env: { ...process.env, NETREFLEX_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const relay = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      say(`  | ${line}`);
      if (/waiting for the next execution/.test(line)) listening();
    }
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  child.on('exit', () => listening());
  await Promise.race([ready, sleep(60_000)]);
  return child;
}

async function remediationOf(since: string, device: string, ended: boolean): Promise<Execution> {
  for (;;) {
    const { items } = await rig!.api<{ items: Execution[] }>('GET', '/api/v1/executions?action=remediation.bgp_peer_down&limit=20');
    const run = items.find((e) => e.createdAt >= since && e.parameters.device === device);
    if (run) {
      const full = await rig!.api<Execution>('GET', `/api/v1/executions/${run.id}`);
      if (!ended && full.tasks.some((t) => t.taskName === 'wait_established')) return full;
      if (ended && !['requested', 'scheduled', 'running'].includes(full.status)) return full;
    }
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const noLab = labSkipReason();
  if (noLab) {
    say(`npm run demo: ${noLab.replace(/^LAB SKIPPED: /, '')}`);
    process.exit(2);
  }
  const withRedmine = redmineGuard() === false;
  say(`starting the lab, a netreflex appliance, ngircd, an SFTP server${withRedmine ? ' and Redmine' : ''} (10 to 60 s) ...`);
  rig = await startScenarioRig({ name: 'demo', redmine: withRedmine, chat: true, sftp: true });
  if (stopping) return;
  await rig.lab.waitEstablished('leaf1', undefined, 60_000);
  // an operator tunes the shipped rule in the datastore: `netreflex key set remediation.bgp.hold_down 2s`
  await rig.api('PUT', '/api/v1/keys/system/remediation.bgp.hold_down', { value: HOLD_DOWN });
  await rig.api('PUT', '/api/v1/keys/system/remediation.bgp.recovery_timeout', { value: RECOVERY_TIMEOUT });
  const { key } = await rig.api<{ key: string }>('POST', '/api/v1/auth/keys', { description: 'npm run demo: execution tail' });

  const irc = rig.irc!;
  say('');
  say('where to look');
  say(`  API and web UI   ${rig.apiUrl}   (login: admin / ${ADMIN_PASSWORD})`);
  say(`  the CLI          NETREFLEX_URL=${rig.apiUrl} npx netreflex login --user admin`);
  say(`  chat             irc://${irc.host}:${irc.port}/${CHAT_CHANNEL}   (the bot is ${BOT_NICK})`);
  say(
    `  tickets          ${rig.redmine ? `${rig.redmine.url}/projects/${rig.redmine.project}/issues` : 'none: Redmine is not installed here (the escalation notes say so)'}`,
  );
  say(`  log bundles      ${rig.sftp ? path.join(rig.sftp.uploadDir) : '-'}`);
  say(`  the lab          npm run lab:status   (hold-down ${HOLD_DOWN}, recovery timeout ${RECOVERY_TIMEOUT} for this tour)`);

  // 1. a fault that the remediation repairs
  say('');
  say('scenario 1, part 1: spine1 loses its BGP daemon (npm run lab:fault -- kill-bgpd spine1)');
  tail = await startTail(rig.apiUrl, key, 'leaf1');
  let since = new Date().toISOString();
  await rig.lab.fault.killBgpd('spine1');
  await remediationOf(since, 'leaf1', false);
  say('  ... leaf1 diagnosed it and soft-cleared the session; spine1 gets its BGP daemon back (npm run lab:fault -- start-bgpd spine1)');
  await rig.lab.fault.startBgpd('spine1');
  const repaired = await remediationOf(since, 'leaf1', true);
  await sleep(500);
  tail.kill('SIGINT');
  const recovered = await rig.waitSaid((l) => l.startsWith('RECOVERED: BGP peer 10.0.1.1 on leaf1'), 30_000).catch(() => null);
  say(`${repaired.outcome ?? repaired.status}: BGP peer 10.0.1.1 on leaf1, execution ${repaired.id}`);
  if (recovered) say(`  ${BOT_NICK} in ${CHAT_CHANNEL}: ${recovered}`);

  // 2. a fault that stays: escalated with a ticket and a chat message
  await rig.lab.waitEstablished('leaf1', undefined, 30_000);
  await sleep(3000); // FRR logs no Down for a session shut a moment after it came up
  say('');
  say('scenario 1, part 2: spine1 shuts its neighbor leaf1 and it stays down (npm run lab:fault -- shutdown-peer spine1 leaf1)');
  tail = await startTail(rig.apiUrl, key, 'leaf1');
  since = new Date().toISOString();
  await rig.lab.fault.shutdownPeer('spine1', 'leaf1');
  const escalated = await remediationOf(since, 'leaf1', true);
  await sleep(500);
  tail.kill('SIGINT');
  const ticket = escalated.result?.output?.ticket as { url?: string } | null | undefined;
  const chat = await rig.waitSaid((l) => l.startsWith('ESCALATED: BGP peer 10.0.1.1 on leaf1'), 30_000).catch(() => null);
  say(`${escalated.outcome ?? escalated.status}: BGP peer 10.0.1.1 on leaf1, execution ${escalated.id}${ticket?.url ? `, ticket ${ticket.url}` : ''}`);
  if (chat) say(`  ${BOT_NICK} in ${CHAT_CHANNEL}: ${chat}`);
  for (const note of (escalated.result?.output?.notes as string[] | undefined) ?? []) say(`  note: ${note}`);
  await rig.lab.fault.noShutdownPeer('spine1', 'leaf1');
  say('  (spine1 has its neighbor back: npm run lab:fault -- no-shutdown-peer spine1 leaf1)');

  say('');
  say(`the tour is done; the lab and the appliance stay up to look around (${rig.apiUrl}). Ctrl-C takes everything down.`);
}

main().catch(async (e) => {
  say(`npm run demo failed: ${(e as Error).stack ?? String(e)}`);
  await stopAll(1);
});
