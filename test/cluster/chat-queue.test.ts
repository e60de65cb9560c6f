// The chat bot of a cluster on a bus keeps the announcements made while no API node runs it: a
// workflow on a worker node posts (chatops.post_message) while the API node running the bot is
// killed, and the bot that runs next posts it, once, in order, even with two API nodes starting
// at once; one older than bot.max_announcement_age is skipped with one line saying so. Real
// nats-server, PostgreSQL 15 and ngircd, started here; every node a `netreflex serve` process.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { bearerCall } from '../api/bearer-call.js';
import { IrcUser } from '../chat/irc-user.js';
import { ngircdUnavailable, startNgircd, type Ngircd } from '../chat/ngircd.js';
import { startServeNode, type ServeNode } from './serve-node.js';

const skip = postgresGuard() || natsGuard() || (await ngircdUnavailable()) || undefined;
const ADMIN_PASSWORD = 'chatqueue-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/chat-packs');
const CHANNEL = '#noc';
const BOT = 'nrxbot';

describe('distributed mode on a bus: announcements wait for the chat bot', { skip, timeout: 400_000 }, () => {
  let root: string;
  let nats: NatsServer;
  let pgServer: Postgres;
  let irc: Ngircd;
  let store: string;
  const nodes = new Map<string, ServeNode>();
  let token = '';
  let watcher: IrcUser;
  /** The API node the test calls (any live one). */
  let via = 'api-1';

  const chatConfig = (name: string, extra: string[] = []): void => {
    mkdirSync(path.join(root, name, 'configs'), { recursive: true });
    writeFileSync(
      path.join(root, name, 'configs', 'chatops.yaml'),
      ['bot:', '  enabled: true', `  irc: {host: ${irc.host}, port: ${irc.port}, nick: ${BOT}, channels: ["${CHANNEL}"]}`, ...extra, ''].join('\n'),
    );
  };
  const start = async (name: string, role: string): Promise<ServeNode> => {
    const dataDir = path.join(root, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // nodes sharing one store share the secrets key, as an operator copies it to each node
    if (name !== 'api-1') copyFileSync(path.join(root, 'api-1', 'secrets.key'), path.join(dataDir, 'secrets.key'));
    const n = await startServeNode({
      name,
      dataDir,
      args: ['--role', role, '--bus', nats.url, '--store', store, '--no-sensors', ...(role === 'api' ? ['--port', '0'] : ['--no-api'])].concat([
        '--packs-path',
        PACKS,
        '--node-name',
        name,
      ]),
      env: { NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    nodes.set(name, n);
    return n;
  };
  const api = bearerCall(
    () => nodes.get(via)!.url!,
    () => token,
  );
  const said = (): string => [...nodes.values()].map((n) => `--- ${n.name}\n${n.said()}`).join('\n');
  const until = async (what: string, cond: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) assert.fail(`timed out: ${what}\nheard: ${JSON.stringify(botLines())}\n${said()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const botLines = (): string[] => watcher.heard.filter((h) => h.from === BOT && h.target === CHANNEL).map((h) => h.text);
  const announced = async (message: string): Promise<boolean> => {
    const c = new pg.Client({ connectionString: store });
    await c.connect();
    try {
      const r = await c.query("SELECT 1 FROM trigger_instances WHERE type = 'core.announcement' AND payload LIKE $1", [`%${message}%`]);
      return r.rowCount! > 0;
    } finally {
      await c.end();
    }
  };
  const sayLater = (message: string, delay: number): Promise<unknown> =>
    api('POST', '/api/v1/events', { type: 'chattest.say', payload: { message, delay: String(delay) } });
  const botRunsOn = (name: string): boolean =>
    (
      nodes
        .get(name)
        ?.said()
        .match(/chat bot on irc:/g) ?? []
    ).length >
    (
      nodes
        .get(name)
        ?.said()
        .match(/chat bot stopped here/g) ?? []
    ).length;

  before(async () => {
    if (skip) return;
    root = mkdtempSync(path.join(tmpdir(), 'nrx-chatqueue-'));
    [nats, pgServer, irc] = await Promise.all([startNatsServer(), startPostgres(), startNgircd()]);
    store = await pgServer.createDatabase('chatqueue');
    watcher = new IrcUser('watcher');
    await watcher.connect(irc.host, irc.port, CHANNEL);
    for (const n of ['api-1', 'api-2']) chatConfig(n);
    await start('api-1', 'api');
    const login = await fetch(`${nodes.get('api-1')!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    await start('core', 'rules,worker');
    await until('the bot runs on api-1', () => botRunsOn('api-1'));
  });
  after(async () => {
    watcher?.close();
    for (const n of nodes.values()) await n.stop().catch(() => {});
    await Promise.all([nats?.stop(), pgServer?.stop(), irc?.stop()]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('an announcement made while the bot runs is posted once', async () => {
    await sayLater('hello 1', 0);
    await until('hello 1 posted', () => botLines().includes('hello 1'));
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(botLines(), ['hello 1']);
  });

  test('announcements made while the API node running the bot is killed are posted once, in order, when API nodes come back', async () => {
    await sayLater('missed 1', 4);
    await sayLater('missed 2', 6);
    await nodes.get('api-1')!.kill();
    await until('both announcements made on the worker', async () => (await announced('missed 1')) && (await announced('missed 2')));
    assert.deepEqual(botLines(), ['hello 1'], 'no API node runs the bot: nothing posted yet');
    // two API nodes at once: one of them runs the bot
    await Promise.all([start('api-1', 'api'), start('api-2', 'api')]);
    await until('both posted', () => botLines().includes('missed 2'));
    // time for a second post from either node to show, were there one
    await new Promise((r) => setTimeout(r, 4_000));
    assert.deepEqual(botLines(), ['hello 1', 'missed 1', 'missed 2']);
    assert.equal([botRunsOn('api-1'), botRunsOn('api-2')].filter(Boolean).length, 1, said());
  });

  test('the other API node takes the bot over and posts what is made after, once', async () => {
    const leader = botRunsOn('api-1') ? 'api-1' : 'api-2';
    const other = leader === 'api-1' ? 'api-2' : 'api-1';
    via = other;
    await sayLater('taken over', 3);
    await nodes.get(leader)!.kill();
    await until('taken over posted', () => botLines().includes('taken over'));
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(botLines(), ['hello 1', 'missed 1', 'missed 2', 'taken over']);
    assert.ok(botRunsOn(other), said());
    nodes.delete(leader);
  });

  test('an announcement older than bot.max_announcement_age when a bot runs again is skipped, with one line saying so', async () => {
    const left = [...nodes.keys()].find((n) => n.startsWith('api'))!;
    await sayLater('stale', 2);
    await nodes.get(left)!.stop();
    nodes.delete(left);
    await until('the stale announcement made', () => announced('stale'));
    // the age limit is read when the bot starts
    chatConfig('api-1', ['  max_announcement_age: 1s']);
    await new Promise((r) => setTimeout(r, 2_000));
    const n = await start('api-1', 'api');
    await until('the skip is said', () => botLines().some((l) => /announcement\(s\) .* were not posted/.test(l)));
    await new Promise((r) => setTimeout(r, 2_000));
    const lines = botLines();
    assert.deepEqual(lines.slice(0, 4), ['hello 1', 'missed 1', 'missed 2', 'taken over']);
    assert.equal(lines.length, 5, JSON.stringify(lines));
    assert.match(lines[4]!, /^netreflex: 1 announcement\(s\) made from .* were not posted: older than 1 s/);
    assert.match(n.said(), /chat bot: 1 announcement\(s\) made from .* not posted: older than 1 s/);
  });
});
