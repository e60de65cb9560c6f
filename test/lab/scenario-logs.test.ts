/**
 * Issue 13, job 3 end to end: a monitoring system's webhook (the curl block of
 * docs/scenarios/logs.md, run as written) -> rule -> workflow -> leaf1's real FRR over SSH -> the
 * bundle on a real internal-sftp server -> a real Redmine ticket -> the IRC bot in #noc. Then the
 * failures, each named in chat, and `!collect` from the IRC user noc.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../src/core/config.js';
import { labGuard } from './guard.js';
import { ensurePackages } from './packages.js';
import { redmineGuard } from './redmine.js';
import { NOC_NICK, startScenarioRig, type ScenarioRig } from './scenario-rig.js';

const skip = labGuard() || redmineGuard();
const WEBHOOK = 'collect-logs';

interface Execution {
  id: string;
  action: string;
  status: string;
  outcome: string | null;
  parameters: Record<string, unknown>;
  result: { output?: Record<string, any> } & Record<string, any>;
  tasks: Array<{ taskName: string; status: string; executionId: string | null }>;
  children: Array<{ id: string; action: string; status: string; result: any }>;
}

/** The block the doc says this test runs: the doc's example is what a monitoring system sends, and it works. */
export function docCurlBlock(): string {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'scenarios', 'logs.md'), 'utf8');
  const m = /<!-- test\/lab\/scenario-logs\.test\.ts runs the next block[^>]*-->\n```sh\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, 'docs/scenarios/logs.md has the curl block the test runs');
  return m[1]!;
}

/**
 * POST to the webhook as the doc's block does (openssl + curl), the script changed only by `withBody`.
 * Asynchronously: the appliance answering it runs in this process.
 */
async function postWebhook(rig: ScenarioRig, secret: string, script: string): Promise<{ events: Array<{ id: string; type: string }> }> {
  const r = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, SECRET: secret, NETREFLEX_URL: rig.apiUrl },
  });
  return JSON.parse(r.stdout) as { events: Array<{ id: string; type: string }> };
}

const withBody = (script: string, body: unknown): string => script.replace(/^body='[^']*'$/m, `body='${JSON.stringify(body)}'`);

describe('scenario: collect logs and open a ticket (webhook, chat alias) on the lab', { skip, timeout: 600_000 }, () => {
  let rig: ScenarioRig;
  let secret: string;
  let curl: string;

  before(async () => {
    await ensurePackages(['curl', 'openssl']);
    rig = await startScenarioRig({ name: 'logs', redmine: true, chat: true, sftp: true });
    await rig.lab.waitEstablished('leaf1', undefined, 60_000);
    secret = (await rig.api<{ secret: string }>('POST', '/api/v1/webhooks', { name: WEBHOOK, kind: 'generic', auth: 'hmac' })).secret;
    curl = docCurlBlock();
  });
  after(async () => {
    await rig?.stop();
  });

  /** The rule's execution for a webhook event, once it ended. */
  async function runOf(eventId: string): Promise<{ event: any; run: Execution }> {
    let event: any;
    for (let i = 0; i < 600; i++) {
      event = await rig.api('GET', `/api/v1/events/${eventId}`);
      if (event.enforcements?.some((e: any) => e.executionId)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const fired = event.enforcements.find((e: any) => e.ruleRef === 'remediation.collect_logs_webhook');
    assert.ok(fired?.executionId, `the rule fired for the event: ${JSON.stringify(event.enforcements)}`);
    await rig.appliance.engine.wait(fired.executionId);
    // read again once it ended: the decision trail shows the execution's final status and outcome
    return { event: await rig.api('GET', `/api/v1/events/${eventId}`), run: await rig.api<Execution>('GET', `/api/v1/executions/${fired.executionId}`) };
  }

  function untar(file: string): string {
    const out = mkdtempSync(path.join(rig.dir, 'untar-'));
    execFileSync('tar', ['-xzf', file, '-C', out]);
    return out;
  }

  async function redmineIssue(id: string | number): Promise<any> {
    const res = await fetch(`${rig.redmine!.url}/issues/${id}.json?include=attachments`, { headers: { 'X-Redmine-API-Key': rig.redmine!.apiKey } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { issue: any }).issue;
  }

  test("the doc's webhook for leaf1 with two commands: the bundle on the SFTP server holds FRR's output, a Redmine ticket names host, commands and location, #noc has the ticket; the audit chain reads through the API", async () => {
    const answer = await postWebhook(rig, secret, curl);
    assert.equal(answer.events.length, 1);
    assert.equal(answer.events[0]!.type, 'core.webhook');
    const { event, run } = await runOf(answer.events[0]!.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.result?.output ?? run));
    const out = run.result.output!;

    // the SFTP server holds the bundle, with leaf1's real answers
    const name = String(out.location).split('/').at(-1)!;
    assert.equal(out.location, `sftp://${rig.sftp!.username}@${rig.sftp!.address}:22/upload/${name}`);
    const file = path.join(rig.sftp!.uploadDir, name);
    assert.ok(existsSync(file), `${file} is on the SFTP server`);
    const dir = untar(file);
    // the archive holds one folder, the bundle's name: index.json, then <device>/<nn>-<command>.txt
    const index = JSON.parse(readFileSync(path.join(dir, name.replace(/\.tar\.gz$/, ''), 'index.json'), 'utf8')) as {
      entries: Array<{ device: string; command: string; file: string }>;
    };
    assert.deepEqual(
      index.entries.map((e) => `${e.device} ${e.command}`),
      ['leaf1 show ip bgp summary', 'leaf1 show interface'],
    );
    assert.match(readFileSync(path.join(dir, index.entries[0]!.file), 'utf8'), /BGP router identifier 10\.255\.0\.11, local AS number 65001/);
    assert.match(readFileSync(path.join(dir, index.entries[1]!.file), 'utf8'), /Interface eth-spine1 is up/);

    // Redmine: the ticket with host, commands and where the log is, the bundle attached
    const issue = await redmineIssue(out.ticket_id);
    assert.equal(issue.subject, 'Logs from leaf1: show ip bgp summary, show interface');
    for (const want of [
      'Host: leaf1',
      '- show ip bgp summary',
      '- show interface',
      `Log bundle: ${out.location}`,
      'Reason: BGP flapping on leaf1',
      'webhook collect-logs',
    ])
      assert.ok(issue.description.includes(want), `the ticket says ${want}:\n${issue.description}`);
    assert.deepEqual(
      issue.attachments.map((x: any) => [x.filename, x.filesize]),
      [[name, readFileSync(file).length]],
    );
    assert.equal(out.ticket_url, `${rig.redmine!.url}/issues/${out.ticket_id}`);

    // chat: the success message with the ticket
    const said = await rig.waitSaid((l) => l.startsWith('logs collected from leaf1 ') && l.includes(out.ticket_url));
    assert.equal(said, `logs collected from leaf1 (show ip bgp summary; show interface): bundle ${out.location}, ticket #${out.ticket_id} ${out.ticket_url}`);

    // the audit chain: event -> rule -> execution -> tasks -> the device's commands
    assert.equal(event.type, 'core.webhook');
    assert.equal(event.source, `webhook:${WEBHOOK}`);
    assert.deepEqual(event.payload.body, JSON.parse(/^body='([^']*)'$/m.exec(curl)![1]!));
    assert.ok(!JSON.stringify(event.payload.headers).toLowerCase().includes('signature'), 'the signature is not kept in the event');
    const decision = event.enforcements.find((e: any) => e.ruleRef === 'remediation.collect_logs_webhook');
    assert.deepEqual(
      [decision.actionRef, decision.execution.id, decision.execution.status, decision.execution.outcome],
      ['remediation.collect_logs_ticket', run.id, 'succeeded', 'escalated'],
    );
    assert.deepEqual(
      run.tasks.map((t) => `${t.taskName}:${t.status}`),
      ['check:succeeded', 'collect:succeeded', 'open_ticket:succeeded', 'attach:succeeded', 'chat_success:succeeded', 'notify_success:succeeded'],
    );
    const collect = run.children.find((c) => c.action === 'files.collect_logs')!;
    assert.deepEqual(
      collect.result.index.map((e: any) => [e.device, e.command, e.failed]),
      [
        ['leaf1', 'show ip bgp summary', false],
        ['leaf1', 'show interface', false],
      ],
    );
    assert.equal(run.children.find((c) => c.action === 'ticket.open')!.result.id, out.ticket_id);
  });

  /** A webhook whose run fails: the chat line names the step and the error. */
  async function failure(body: unknown, step: string, why: RegExp): Promise<Execution> {
    const answer = await postWebhook(rig, secret, withBody(curl, body));
    const { run } = await runOf(answer.events[0]!.id);
    assert.equal(run.status, 'failed');
    assert.equal(run.result.output!.failed_step, step);
    const line = await rig.waitSaid((l) => l.startsWith('logs NOT collected') && l.includes(String(run.result.output!.error)));
    assert.match(line, new RegExp(`: step ${step} failed: `));
    assert.match(line, why);
    return run;
  }

  test('failures, each a clear chat message naming the step: a command leaf1 rejects, a host not in the inventory, a configuration command, SFTP refusing, Redmine down', async () => {
    const tickets = async (): Promise<number> =>
      (
        (await (await fetch(`${rig.redmine!.url}/issues.json?status_id=*`, { headers: { 'X-Redmine-API-Key': rig.redmine!.apiKey } })).json()) as {
          total_count: number;
        }
      ).total_count;
    const before = await tickets();

    const rejected = await failure(
      { host: 'leaf1', cmd: ['show version', 'show frobnicate'] },
      'collect',
      /leaf1 rejected 'show frobnicate': % Unknown command/,
    );
    assert.deepEqual(rejected.tasks.map((t) => t.taskName).slice(0, 2), ['check', 'collect']);
    await failure({ host: 'leaf9', cmd: 'show version' }, 'check', /host "leaf9" is not a device in the inventory/);
    await failure({ host: 'leaf1', cmd: 'configure terminal' }, 'check', /"configure terminal" is not a show command/);

    const files = path.join(rig.dataDir, 'configs', 'files.yaml');
    const good = readFileSync(files, 'utf8');
    try {
      writeFileSync(files, good.replace(/password: .*/, 'password: not-the-password'));
      await failure({ host: 'leaf1', cmd: 'show version' }, 'collect', /sftp/i);
    } finally {
      writeFileSync(files, good);
    }

    const ticketYaml = path.join(rig.dataDir, 'configs', 'ticket.yaml');
    const ticketGood = readFileSync(ticketYaml, 'utf8');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    try {
      writeFileSync(ticketYaml, ticketGood.replace(/^url: .*$/m, `url: http://127.0.0.1:${port}`));
      await failure({ host: 'leaf1', cmd: 'show version' }, 'open_ticket', /redmine: .*ECONNREFUSED/);
    } finally {
      writeFileSync(ticketYaml, ticketGood);
    }
    assert.equal(await tickets(), before, 'no failed run opened a ticket');
  });

  test("!collect leaf1 show ip bgp summary from noc: answered in #noc with the ticket, the bundle uploaded, noc's chat command in the audit log", async () => {
    const uploaded = new Set(readdirSync(rig.sftp!.uploadDir));
    const heard = rig.noc!.heard.length;
    rig.noc!.say('#noc', '!collect leaf1 show ip bgp summary');
    await rig
      .waitSaid((l) => l.startsWith(`${NOC_NICK}: collecting 'show ip bgp summary' from leaf1... ${rig.apiUrl}/api/v1/executions/`), 30_000)
      .catch((e: Error) => assert.fail(`${e.message}; everything noc heard since: ${JSON.stringify(rig.noc!.heard.slice(heard))}`));
    const answer = await rig.waitSaid((l) => l.startsWith(`${NOC_NICK}: logs collected from leaf1 (show ip bgp summary): bundle sftp://`), 60_000);
    const m = / bundle (\S+), ticket #(\d+) (\S+)$/.exec(answer)!;
    assert.ok(m, answer);
    const name = m[1]!.split('/').at(-1)!;
    assert.ok(!uploaded.has(name) && existsSync(path.join(rig.sftp!.uploadDir, name)), 'a new bundle is on the SFTP server');
    const issue = await redmineIssue(m[2]!);
    assert.ok(issue.description.includes('Logs collected from leaf1 for noc.'), issue.description);
    // one answer: the alias's, not a second line from the workflow
    const lines = rig
      .noc!.heard.slice(heard)
      .filter((h) => h.from !== NOC_NICK)
      .map((h) => h.text);
    assert.equal(lines.filter((l) => l.includes('logs collected')).length, 1, lines.join('\n'));
    const audit = await rig.api<{ items: Array<{ method: string; user: string | null; detail: any; target: string | null }> }>('GET', '/api/v1/audit?limit=50');
    const chat = audit.items.find((e) => e.method === 'CHAT' && e.detail?.command === 'collect leaf1 show ip bgp summary');
    assert.ok(chat, 'the chat command is in the audit log');
    assert.equal(chat.user, NOC_NICK);
    const run = await rig.api<Execution>('GET', `/api/v1/executions/${chat.target}`);
    assert.deepEqual(
      [run.action, run.status, run.parameters.device, run.parameters.post_to_chat],
      ['remediation.collect_logs_ticket', 'succeeded', 'leaf1', false],
    );
  });
});
