/**
 * remediation.collect_logs_ticket without the lab: a replayed Cisco-like router, an HTTP PUT log
 * server, Jira as its documentation describes it (the ticket pack is the same for Redmine), and
 * the chat messages as the announcements the bot would post. Every failure path names its step.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig, REPO_ROOT } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { PackConfigStore } from '../../src/datastore/pack-config-store.js';
import { makeEvent } from '../../src/events/envelope.js';
import { outcomeOf } from '../../src/executions/outcome.js';
import { AliasExecutor } from '../../src/api/alias-execution.js';
import { AliasIndex } from '../../src/packs/alias-index.js';
import { loadPacks } from '../../src/packs/pack-loader.js';
import type { ExecutionRecord } from '../../src/store/records.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../drivers/replay-server.js';
import { fakeJira, type FakeTracker } from '../packs/ticket/fake-trackers.js';

interface Output {
  outcome: string | null;
  message: string;
  failed_step: string | null;
  error: string | null;
  location: string | null;
  ticket_id: string | null;
  ticket_url: string | null;
}

const SUMMARY = 'BGP router identifier 10.0.0.1, local AS number 65001\nNeighbor        V   AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd';

describe('remediation.collect_logs_ticket: show commands -> bundle uploaded -> ticket -> chat', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-collect-ticket-'));
  const dataDir = path.join(tmp, 'data');
  let router: ReplayServer;
  let jira: FakeTracker & { issues: Map<string, any> };
  let logServer: Server;
  let logUrl = '';
  const uploads = new Map<string, Buffer>();
  let uploadAnswer = 201;
  let a: Appliance;
  let configs: PackConfigStore;

  before(async () => {
    router = await startReplayServer(ciscoLikeDevice('rtr1', { 'show ip bgp summary': SUMMARY, 'show version': 'Cisco IOS Software, Version 15.2' }));
    jira = await fakeJira({ version: 2, user: 'noc@example.net', token: 'jira-token-1', project: 'NET' });
    logServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (uploadAnswer < 300) uploads.set(req.url!, Buffer.concat(chunks));
        res.writeHead(uploadAnswer).end(uploadAnswer >= 400 ? 'quota exceeded' : '');
      });
    });
    await new Promise<void>((r) => logServer.listen(0, '127.0.0.1', r));
    logUrl = `http://127.0.0.1:${(logServer.address() as AddressInfo).port}/logs`;
    mkdirSync(path.join(dataDir, 'configs'), { recursive: true });
    writeFileSync(path.join(dataDir, 'configs', 'files.yaml'), `upload: http\nhttp:\n  url: ${logUrl}\n`);
    const knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${router.port} ${router.hostPublicKey}\n`);
    a = new Appliance({ config: loadConfig({ dataDir }, {}), log: silentLogger, knownHostsFile: knownHosts });
    await a.start();
    await a.credentials.set('lab', { username: 'admin', password: 'secret-1' });
    await a.inventory.putHost({ name: 'rtr1', hostname: '127.0.0.1', port: router.port, platform: 'cisco_ios', credential: 'lab' });
    configs = new PackConfigStore(a.kv, dataDir);
    const ticketPack = path.join(REPO_ROOT, 'packs', 'ticket');
    for (const [k, v] of Object.entries({ system: 'jira', url: jira.url, project: 'NET', username: 'noc@example.net', password: 'jira-token-1' }))
      await configs.set('ticket', ticketPack, k, v);
  });
  after(async () => {
    await a?.stop();
    await Promise.all([router?.close(), jira?.close(), new Promise((r) => logServer?.close(r))]);
    rmSync(tmp, { recursive: true, force: true });
  });

  async function collect(params: Record<string, unknown>): Promise<{ rec: ExecutionRecord; out: Output; tasks: string[]; chat: string[] }> {
    const rec = await a.engine.run('remediation.collect_logs_ticket', params);
    const tasks = (await a.store.listTasks(rec.id)).sort((x, y) => x.seq - y.seq);
    const chat: string[] = [];
    for (const t of tasks.filter((x) => x.taskName.startsWith('chat_'))) {
      const child = await a.store.getExecution(t.executionId!);
      chat.push(String((child?.result as { message?: string } | null)?.message));
    }
    return { rec, out: (rec.result as { output: Output }).output, tasks: tasks.map((t) => `${t.taskName}:${t.status}`), chat };
  }

  test('two show commands: bundle uploaded, ticket with host, commands and location, the bundle attached, chat success with the ticket', async () => {
    const { rec, out, tasks, chat } = await collect({ device: 'rtr1', commands: ['show ip bgp summary', 'show version'], reason: 'BGP flaps on rtr1' });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    assert.deepEqual(tasks, [
      'check:succeeded',
      'collect:succeeded',
      'open_ticket:succeeded',
      'attach:succeeded',
      'chat_success:succeeded',
      'notify_success:succeeded',
    ]);
    assert.equal(outcomeOf(rec), 'escalated');
    assert.match(out.location!, new RegExp(`^${logUrl}/\\d{8}T\\d{6}Z-logs-rtr1\\.tar\\.gz$`));
    assert.ok(uploads.has(new URL(out.location!).pathname), 'the log server holds the bundle');
    const issue = jira.issues.get(out.ticket_id!);
    assert.match(issue.summary, /^Logs from rtr1: show ip bgp summary, show version$/);
    for (const want of ['Host: rtr1', '- show ip bgp summary', '- show version', `Log bundle: ${out.location}`, 'Reason: BGP flaps on rtr1', rec.id])
      assert.ok(issue.description.includes(want), `ticket description lacks ${want}:\n${issue.description}`);
    assert.match(issue.attachments[0].filename, /-logs-rtr1\.tar\.gz$/);
    assert.equal(chat.length, 1);
    assert.equal(chat[0], out.message);
    assert.match(
      chat[0]!,
      new RegExp(`^logs collected from rtr1 \\(show ip bgp summary; show version\\): bundle ${out.location}, ticket .*${out.ticket_url}$`),
    );
    assert.deepEqual(jira.violations, []);
  });

  test('one command as a plain string is one command', async () => {
    const { rec, out } = await collect({ device: 'rtr1', commands: 'show version' });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    assert.match(jira.issues.get(out.ticket_id!).description, /Commands:\n- show version\n/);
  });

  /** A failed run: chat says which step failed and why; nothing after it ran. */
  async function failsAt(params: Record<string, unknown>, step: string, why: RegExp, lastTask: string): Promise<Output> {
    const before = jira.issues.size;
    const { rec, out, tasks, chat } = await collect(params);
    assert.equal(rec.status, 'failed');
    assert.equal(out.failed_step, step);
    assert.match(out.error!, why);
    assert.equal(chat.length, 1);
    assert.match(chat[0]!, new RegExp(`^logs NOT collected.*: step ${step} failed: `));
    assert.ok(chat[0]!.includes(out.error!));
    assert.ok(tasks.includes(lastTask), tasks.join(' '));
    assert.deepEqual(tasks.slice(-2), ['chat_failure:succeeded', 'notify_failure:succeeded']);
    if (step !== 'attach') assert.equal(jira.issues.size, before, 'no ticket');
    return out;
  }

  test('a host that is not in the inventory: step check, nothing sent to any device', async () => {
    const sent = router.received.length;
    await failsAt({ device: 'leaf9', commands: 'show version' }, 'check', /host "leaf9" is not a device in the inventory/, 'check:failed');
    assert.equal(router.received.length, sent);
  });

  test('a configuration command, a pipe, a second line, a shell: refused at check before any device sees them', async () => {
    const sent = router.received.length;
    await failsAt(
      { device: 'rtr1', commands: ['show version', 'configure terminal'] },
      'check',
      /command 2 of 2 "configure terminal" is not a show command/,
      'check:failed',
    );
    await failsAt({ device: 'rtr1', commands: 'show running-config | redirect flash:x' }, 'check', /no pipes, redirections/, 'check:failed');
    await failsAt({ device: 'rtr1', commands: 'show version\nreload' }, 'check', /line break/, 'check:failed');
    await failsAt({ device: 'rtr1', commands: 'show $(reboot)' }, 'check', /characters a collected command may not hold \(\$ \( \)\)/, 'check:failed');
    await failsAt({ device: 'rtr1', commands: Array(11).fill('show version') }, 'check', /at most 10 commands per request \(got 11\)/, 'check:failed');
    await failsAt({ device: { name: 'rtr1' }, commands: 'show version' }, 'check', /host: name the inventory device/, 'check:failed');
    await failsAt({ device: 'rtr1', commands: null }, 'check', /cmd: give one show command/, 'check:failed');
    assert.equal(router.received.length, sent);
  });

  test('a command the device rejects: step collect, naming the command and the device words', async () => {
    await failsAt(
      { device: 'rtr1', commands: ['show version', 'show frobnicators'] },
      'collect',
      /rtr1 rejected 'show frobnicators': .*Invalid input.* \(the bundle with the device's answers is at http/,
      'collect:succeeded',
    );
  });

  test('the log server refusing the upload: step collect, with its answer', async () => {
    uploadAnswer = 507;
    try {
      await failsAt({ device: 'rtr1', commands: 'show version' }, 'collect', /507.*quota exceeded/, 'collect:failed');
    } finally {
      uploadAnswer = 201;
    }
  });

  test('the ticket system down: step open_ticket', async () => {
    const ticketPack = path.join(REPO_ROOT, 'packs', 'ticket');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await configs.set('ticket', ticketPack, 'url', `http://127.0.0.1:${port}`);
    try {
      await failsAt(
        { device: 'rtr1', commands: 'show version' },
        'open_ticket',
        /jira: POST \/rest\/api\/2\/issue failed: .*ECONNREFUSED/,
        'open_ticket:failed',
      );
    } finally {
      await configs.set('ticket', ticketPack, 'url', jira.url);
    }
  });

  test('!collect: the alias gives device and commands, keeps the workflow from posting itself, and answers with its message', async () => {
    const index = AliasIndex.load(loadPacks([path.join(REPO_ROOT, 'packs'), path.join(REPO_ROOT, 'workflows')]).packs);
    assert.deepEqual(index.errors, []);
    const m = index.match('collect rtr1 show ip bgp summary');
    assert.equal(m.alias.ref, 'remediation.collect');
    assert.deepEqual(m.parameters, { device: 'rtr1', commands: 'show ip bgp summary', post_to_chat: false, requested_by: null, max_commands: 10 });
    assert.deepEqual(
      index.match('collect rtr1 show version post_to_chat=true requested_by=ceo max_commands=50').parameters,
      { device: 'rtr1', commands: 'show version', post_to_chat: false, requested_by: null, max_commands: 10 },
      'a chat line cannot change them',
    );
    const texts = new AliasExecutor({ aliases: () => index } as never);
    const ok = await collect(m.parameters);
    assert.deepEqual(ok.chat, [], 'the workflow posts nothing itself: the alias answers');
    assert.equal(texts.resultText(m.alias, ok.rec), ok.out.message);
    assert.match(ok.out.message, /^logs collected from rtr1 \(show ip bgp summary\): bundle http/);
    const bad = await collect(index.match('collect rtr1 show run | include bgp').parameters);
    assert.equal(bad.rec.status, 'failed');
    assert.match(
      texts.resultText(m.alias, bad.rec),
      /^logs NOT collected: step check failed: field 'cmd': the command "show run \| include bgp" has characters .*\(\|\)/,
    );
  });

  test('the rule: a POST to the collect-logs webhook runs it with host and cmd; another webhook does not', async () => {
    const before = jira.issues.size;
    const other = makeEvent('core.webhook', { url: 'alerts', method: 'POST', headers: {}, query: {}, body: { host: 'rtr1', cmd: 'show version' } });
    await a.emit(other);
    const ev = makeEvent('core.webhook', {
      url: 'collect-logs',
      method: 'POST',
      headers: {},
      query: {},
      body: { host: 'rtr1', cmd: ['show version'], reason: 'Zabbix: rtr1 CPU high' },
    });
    await a.emit(ev);
    let runs: ExecutionRecord[] = [];
    for (let i = 0; i < 500 && runs.length === 0; i++) {
      runs = (await a.store.listExecutions({})).filter((e) => e.action === 'remediation.collect_logs_ticket' && e.context.triggerInstanceId === ev.id);
      if (!runs.length) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(runs.length, 1, 'one run for the collect-logs webhook');
    const done = await a.engine.wait(runs[0]!.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(done.parameters.commands, ['show version']);
    assert.equal(done.parameters.requested_by, 'webhook collect-logs');
    assert.equal(jira.issues.size, before + 1, 'only the collect-logs webhook opened a ticket');
    assert.match(jira.issues.get((done.result as { output: Output }).output.ticket_id!).description, /Reason: Zabbix: rtr1 CPU high/);
  });
  test('an alert storm: the 11th request for one host within the hour is throttled and runs nothing; another host still runs', async () => {
    // the rule test above already ran one for rtr1
    const post = async (host: string): Promise<string> => {
      const ev = makeEvent('core.webhook', { url: 'collect-logs', method: 'POST', headers: {}, query: {}, body: { host, cmd: 'show version' } });
      await a.emit(ev);
      for (let i = 0; i < 500; i++) {
        const [d] = await a.store.listEnforcements({ triggerInstanceId: ev.id });
        if (d) {
          if (d.executionId) await a.engine.wait(d.executionId);
          return d.outcome;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no decision for ${ev.id}`);
    };
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) outcomes.push(await post('rtr1'));
    assert.deepEqual(outcomes, [...Array(9).fill('executed'), 'throttled']);
    assert.equal(await post('leaf9'), 'executed', 'the throttle is per host');
  });

  test('with a chat webhook configured: the success and the failure go there too (Slack format), the ticket linked', async () => {
    const posts: Array<{ text: string; attachments: Array<{ title: string; title_link?: string }> }> = [];
    const hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        posts.push(JSON.parse(raw));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const chatops = path.join(dataDir, 'configs', 'chatops.yaml');
    writeFileSync(chatops, `webhook_url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/noc\n`);
    try {
      const ok = await collect({ device: 'rtr1', commands: 'show version' });
      assert.equal(ok.rec.status, 'succeeded', JSON.stringify(ok.rec.error));
      await failsAt({ device: 'leaf9', commands: 'show version' }, 'check', /not a device in the inventory/, 'check:failed');
      assert.equal(posts.length, 2);
      assert.match(posts[0]!.attachments[0]!.title, /^Logs collected from rtr1: ticket NET-\d+$/);
      assert.equal(posts[0]!.attachments[0]!.title_link, ok.out.ticket_url);
      assert.match(posts[1]!.text, /^FAILED: Logs not collected: step check failed/);
    } finally {
      rmSync(chatops, { force: true });
      await new Promise((r) => hook.close(r));
    }
  });
});
