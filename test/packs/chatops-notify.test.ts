import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';

interface Received {
  path: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** An incoming webhook that checks what Slack/Mattermost/Rocket.Chat and Teams workflows require of a message. */
function webhookServer(): Promise<{ server: Server; url: (p: string) => string; received: Received[]; answer: { status: number } }> {
  const received: Received[] = [];
  const answer = { status: 200 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      received.push({ path: req.url!, contentType: req.headers['content-type'], body });
      const problem = req.url!.startsWith('/teams/') ? teamsProblem(body) : slackProblem(body);
      if (problem) {
        res.writeHead(400).end(problem);
        return;
      }
      res.writeHead(answer.status).end(answer.status === 200 ? 'ok' : 'invalid_token');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, url: (p) => `http://127.0.0.1:${port}${p}`, received, answer });
    }),
  );
}

/** Slack's incoming-webhook message: `text` (required without blocks), attachments with fallback, color, title, fields. */
function slackProblem(b: Record<string, unknown>): string | null {
  if (typeof b.text !== 'string' || b.text === '') return 'no_text';
  for (const a of (b.attachments ?? []) as Array<Record<string, unknown>>) {
    if (typeof a.fallback !== 'string') return 'attachment without fallback';
    if (typeof a.color !== 'string' || !/^#[0-9a-f]{6}$/i.test(a.color)) return 'bad color';
    for (const f of (a.fields ?? []) as Array<Record<string, unknown>>)
      if (typeof f.title !== 'string' || typeof f.value !== 'string' || typeof f.short !== 'boolean') return 'bad field';
  }
  return null;
}

/** A Teams workflow's "post a card": type message, one Adaptive Card attachment with a body. */
function teamsProblem(b: Record<string, unknown>): string | null {
  if (b.type !== 'message') return 'type must be message';
  const [att] = (b.attachments ?? []) as Array<Record<string, unknown>>;
  if (!att || att.contentType !== 'application/vnd.microsoft.card.adaptive') return 'no adaptive card';
  const card = att.content as Record<string, unknown>;
  if (card.type !== 'AdaptiveCard' || typeof card.version !== 'string' || !Array.isArray(card.body)) return 'bad card';
  return null;
}

describe('chatops.notify: incoming webhooks (Slack, Mattermost, Rocket.Chat, Teams workflows)', () => {
  let hook: Awaited<ReturnType<typeof webhookServer>>;
  let dataDir: string;
  let appliance: Appliance;
  const writeConfig = (yaml: string): void => writeFileSync(path.join(dataDir, 'configs', 'chatops.yaml'), yaml);

  before(async () => {
    hook = await webhookServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-chatops-'));
    mkdirSync(path.join(dataDir, 'configs'));
    const pack = path.join(dataDir, 'content', 'remedy');
    mkdirSync(path.join(pack, 'actions', 'workflows'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: remedy\nname: remedy\n');
    writeFileSync(
      path.join(pack, 'actions', 'clear_peer.yaml'),
      'name: clear_peer\nrunner_type: orquesta\nentry_point: workflows/clear_peer.yaml\nparameters:\n  device: {type: string, required: true}\n',
    );
    // the remediation fails; its failure path posts the failure message
    writeFileSync(
      path.join(pack, 'actions', 'workflows', 'clear_peer.yaml'),
      [
        'version: 1.0',
        'input: [device]',
        'tasks:',
        '  clear:',
        '    action: core.local',
        '    input: {cmd: "echo peer 10.0.1.1 still idle >&2; exit 1"}',
        '    next:',
        '      - when: "{{ failed() }}"',
        '        do: tell',
        '  tell:',
        '    action: chatops.notify',
        '    input:',
        '      title: "Remediation of {{ ctx().device }} failed"',
        '      device: "{{ ctx().device }}"',
        '      status: failure',
        '      error: "{{ task_status(\'clear\') }}"',
        '',
      ].join('\n'),
    );
    appliance = new Appliance({ config: loadConfig({ dataDir, packsPaths: [path.join(dataDir, 'content')] }, {}), log: silentLogger });
    await appliance.start();
  });
  after(async () => {
    await appliance.stop();
    hook.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a readable Slack-compatible message: title, device, state and a link to the execution, from the pack config', async () => {
    writeConfig(`webhook_url: ${hook.url('/hooks/T000/B000/XXXX')}\napi_url: https://netreflex.example:8080/\n`);
    const rec = await appliance.engine.run('chatops.notify', {
      title: 'BGP peer 10.0.1.1 down on leaf1',
      message: 'Soft clear sent; waiting for the session.',
      device: 'leaf1',
      state: 'idle',
      execution_id: '01JEXEC',
    });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const got = hook.received.at(-1)!;
    assert.equal(got.path, '/hooks/T000/B000/XXXX');
    assert.equal(got.contentType, 'application/json');
    const [att] = got.body.attachments as Array<Record<string, unknown>>;
    assert.equal(att!.title, 'BGP peer 10.0.1.1 down on leaf1');
    assert.equal(att!.title_link, 'https://netreflex.example:8080/api/v1/executions/01JEXEC');
    assert.equal(att!.text, 'Soft clear sent; waiting for the session.');
    assert.deepEqual(att!.fields, [
      { title: 'Device', value: 'leaf1', short: true },
      { title: 'State', value: 'idle', short: true },
    ]);
    assert.equal(got.body.text, 'BGP peer 10.0.1.1 down on leaf1 - device leaf1 - state idle (https://netreflex.example:8080/api/v1/executions/01JEXEC)');
    assert.deepEqual(rec.result, {
      posted: true,
      format: 'slack',
      host: new URL(hook.url('/')).host,
      status: 200,
      link: 'https://netreflex.example:8080/api/v1/executions/01JEXEC',
    });
  });

  test("the failure path's message is marked and red, and says why", async () => {
    writeConfig(`webhook_url: ${hook.url('/hooks/fail')}\n`);
    const rec = await appliance.engine.run('chatops.notify', {
      title: 'Remediation of leaf1 failed',
      device: 'leaf1',
      status: 'failure',
      error: 'peer still idle after 120 s',
    });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const [att] = hook.received.at(-1)!.body.attachments as Array<Record<string, unknown>>;
    assert.equal(att!.title, 'FAILED: Remediation of leaf1 failed');
    assert.equal(att!.color, '#d00000');
    assert.deepEqual((att!.fields as unknown[]).at(-1), { title: 'Error', value: 'peer still idle after 120 s', short: false });
  });

  test("a workflow's failure path posts its message (chatops.notify as a workflow task)", async () => {
    writeConfig(`webhook_url: ${hook.url('/hooks/workflow')}\n`);
    const rec = await appliance.engine.run('remedy.clear_peer', { device: 'leaf1' });
    assert.equal(hook.received.at(-1)!.path, '/hooks/workflow', JSON.stringify(rec));
    const [att] = hook.received.at(-1)!.body.attachments as Array<Record<string, unknown>>;
    assert.equal(att!.title, 'FAILED: Remediation of leaf1 failed');
    assert.deepEqual(att!.fields, [
      { title: 'Device', value: 'leaf1', short: true },
      { title: 'Error', value: 'failed', short: false },
    ]);
  });

  test('a Teams workflow gets an Adaptive Card with the same facts and the link as an action', async () => {
    writeConfig(`webhook_url: ${hook.url('/teams/workflows/abc')}\nwebhook_format: teams\napi_url: https://nrx.example\n`);
    const rec = await appliance.engine.run('chatops.notify', {
      title: 'LAG member et-0/0/1 down',
      device: 'spine1',
      state: 'down',
      status: 'warning',
      execution_id: 'E1',
    });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const card = ((hook.received.at(-1)!.body.attachments as Array<Record<string, unknown>>)[0]!.content ?? {}) as Record<string, unknown>;
    const body = card.body as Array<Record<string, unknown>>;
    assert.equal(body[0]!.text, 'LAG member et-0/0/1 down');
    assert.deepEqual(body.find((b) => b.type === 'FactSet')!.facts, [
      { title: 'Device', value: 'spine1' },
      { title: 'State', value: 'down' },
    ]);
    assert.deepEqual(card.actions, [{ type: 'Action.OpenUrl', title: 'Execution E1', url: 'https://nrx.example/api/v1/executions/E1' }]);
  });

  test('a refused post fails with NRX_ERR_CHAT naming the host, never the secret URL', async () => {
    writeConfig(`webhook_url: ${hook.url('/hooks/T000/B000/SECRETPART')}\n`);
    hook.answer.status = 403;
    try {
      const rec = await appliance.engine.run('chatops.notify', { title: 'x' });
      assert.equal(rec.status, 'failed');
      assert.equal(rec.error?.code, 'NRX_ERR_CHAT');
      assert.match(rec.error!.message, /answered 403: invalid_token/);
      assert.doesNotMatch(JSON.stringify(rec), /SECRETPART/);
    } finally {
      hook.answer.status = 200;
    }
  });

  test('no webhook configured is a clear error naming the pack and key', async () => {
    writeConfig('api_url: https://nrx.example\n');
    const rec = await appliance.engine.run('chatops.notify', { title: 'x' });
    assert.equal(rec.status, 'failed');
    assert.equal(rec.error?.code, 'NRX_ERR_PACK_CONFIG_MISSING');
    assert.match(rec.error!.message, /chatops/);
    assert.match(rec.error!.message, /webhook_url/);
  });

  test('if_configured: no webhook configured posts nothing and succeeds; a configured one still posts', async () => {
    writeConfig('api_url: https://nrx.example\n');
    const skipped = await appliance.engine.run('chatops.notify', { title: 'x', if_configured: true });
    assert.equal(skipped.status, 'succeeded', JSON.stringify(skipped.error));
    assert.deepEqual(skipped.result, { posted: false, reason: 'no webhook_url configured' });
    const before = hook.received.length;
    const posted = await appliance.engine.run('chatops.notify', { title: 'y', if_configured: true, webhook_url: hook.url('/hooks/other') });
    assert.equal(posted.status, 'succeeded', JSON.stringify(posted.error));
    assert.equal((posted.result as { posted: boolean }).posted, true);
    assert.equal(hook.received.length, before + 1);
  });
});
