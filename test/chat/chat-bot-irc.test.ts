import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAppliance, type AssembledAppliance } from '../../src/assembly.js';
import { AuthService } from '../../src/auth/auth-service.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { IrcUser } from './irc-user.js';
import { ngircdUnavailable, startNgircd, type Ngircd } from './ngircd.js';

const CHANNEL = '#noc';
const BOT = 'nrxbot';

describe('the chat bot on a real IRC server (ngircd), started by netreflex serve', async () => {
  const skip = await ngircdUnavailable();
  let irc: Ngircd;
  let dataDir: string;
  let assembled: AssembledAppliance;
  const said: string[] = [];
  let alice: IrcUser;
  let mallory: IrcUser;
  let bob: IrcUser;

  before(async () => {
    if (skip) return;
    irc = await startNgircd();
    dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-chatbot-'));
    mkdirSync(path.join(dataDir, 'configs'));
    writeFileSync(
      path.join(dataDir, 'configs', 'chatops.yaml'),
      [
        'bot:',
        '  enabled: true',
        '  users: {alice: alice, bob: bob}',
        `  irc: {host: ${irc.host}, port: ${irc.port}, nick: ${BOT}, channels: ["${CHANNEL}"]}`,
        'api_url: https://netreflex.example',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ dataDir, packsPaths: [path.resolve('test/fixtures/chat-network')] }, {});
    assembled = buildAppliance({ config, api: { host: '127.0.0.1', port: 0 }, sensors: null, log: silentLogger, say: (l) => said.push(l) });
    // users exist before serve starts, as an admin would have made them
    const auth = new AuthService(assembled.appliance.store);
    await auth.createUser({ name: 'alice', password: 'alice-password-1', role: 'operator' });
    await auth.createUser({ name: 'bob', password: 'bob-password-12', role: 'observer' });
    await assembled.start();
    alice = new IrcUser('alice');
    mallory = new IrcUser('mallory');
    bob = new IrcUser('bob');
    for (const u of [alice, mallory, bob]) await u.connect(irc.host, irc.port, CHANNEL);
  });
  after(async () => {
    if (skip) return;
    for (const u of [alice, mallory, bob]) u?.close();
    await assembled?.stop();
    await irc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('serve says where the bot is, and which alias file it could not load', { skip: skip ?? false }, () => {
    assert.ok(said.includes(`netreflex: chat bot on irc://${irc.host}:${irc.port}`), said.join('\n'));
    assert.ok(
      said.some((l) => /^netreflex: alias not loaded: NRX_ERR_SPEC_INVALID: .*no_action\.yaml.*action_ref/.test(l)),
      said.join('\n'),
    );
  });

  test('!bgp summary leaf1 from an operator: the ack, then the parsed table', { skip: skip ?? false }, async () => {
    const since = alice.heard.length;
    alice.say(CHANNEL, '!bgp summary leaf1');
    const lines = await alice.hear(BOT, (l) => l.some((x) => x.startsWith('10.0.2.1')), since);
    assert.match(lines[0]!, /^alice: Reading the BGP neighbors of leaf1\.\.\. https:\/\/netreflex\.example\/api\/v1\/executions\/\S+$/);
    assert.deepEqual(lines.slice(1), [
      'alice: BGP summary of leaf1:',
      '10.0.1.1  AS65000  established  12 prefixes  00:20:06',
      '10.0.2.1  AS65000  idle (admin down)  never',
    ]);
  });

  test('a nick not mapped to an operator is refused and nothing runs', { skip: skip ?? false }, async () => {
    const before = (await assembled.appliance.store.listExecutions({ limit: 1000 })).length;
    const since = mallory.heard.length;
    mallory.say(CHANNEL, '!bgp summary leaf1');
    // others' answers may still be arriving: take the one addressed to this nick
    const line = (await mallory.hear(BOT, (l) => l.some((x) => x.startsWith('mallory: ')), since)).find((x) => x.startsWith('mallory: '));
    assert.equal(line, "mallory: refused: mallory is not mapped to a netreflex operator (the chatops pack's bot.users)");
    const sinceBob = bob.heard.length;
    bob.say(CHANNEL, '!bgp summary leaf1');
    const bobLine = (await bob.hear(BOT, (l) => l.some((x) => x.startsWith('bob: ')), sinceBob)).find((x) => x.startsWith('bob: '));
    assert.match(bobLine!, /^bob: refused: bob \(observer\) may not run actions/);
    assert.equal((await assembled.appliance.store.listExecutions({ limit: 1000 })).length, before);
    const audit = await assembled.appliance.store.audit.list({ limit: 50 });
    assert.ok(audit.some((a) => a.method === 'CHAT' && a.status === 403 && (a.detail as { chat_user?: string }).chat_user === 'mallory'));
  });

  test('a command no alias knows gets an answer naming it', { skip: skip ?? false }, async () => {
    const since = alice.heard.length;
    alice.say(CHANNEL, '!reload everything');
    const line = (await alice.hear(BOT, (l) => l.some((x) => x.includes('reload everything')), since)).find((x) => x.includes('reload everything'));
    assert.match(line!, /^alice: command "reload everything" matches no action alias/);
  });

  test('a private message needs no prefix and is answered privately; !help lists the aliases', { skip: skip ?? false }, async () => {
    const since = alice.heard.length;
    alice.say(BOT, 'bgp summary leaf1');
    const lines = await alice.hear(BOT, (l) => l.some((x) => x.startsWith('10.0.2.1')), since);
    const mine = alice.heard.slice(since).filter((h) => h.from === BOT);
    assert.ok(
      mine.every((h) => h.target === 'alice'),
      JSON.stringify(mine),
    );
    assert.match(lines[0]!, /^Reading the BGP neighbors of leaf1\.\.\./);
    const sinceHelp = alice.heard.length;
    alice.say(CHANNEL, '!help');
    const help = await alice.hear(BOT, (l) => l.some((x) => x.includes('!bgp summary <device>')), sinceHelp);
    assert.ok(
      help.some((x) => x === 'alice: !bgp summary <device> - BGP neighbors of a device: peer, AS, state, prefixes, up/down.'),
      help.join('\n'),
    );
  });

  test('notifications: chatops.post_message reaches the channel through the bot', { skip: skip ?? false }, async () => {
    const since = alice.heard.length;
    const rec = await assembled.appliance.engine.run('chatops.post_message', { message: 'BGP peer 10.0.1.1 down on leaf1: remediation started' });
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
    const lines = await alice.hear(BOT, (l) => l.some((x) => x.includes('remediation started')), since);
    assert.equal(
      lines.find((x) => x.includes('remediation started')),
      'BGP peer 10.0.1.1 down on leaf1: remediation started',
    );
  });
});
