import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { cliDriver } from '../../../drivers/connect.js';
import { loginMethods } from '../../../drivers/transports/ssh-login.js';
import { replayHostKey } from '../replay-server.js';

const { Server } = ssh2;

test('login methods: key, then password, then keyboard-interactive; no none probe; methods the server did not offer are skipped', () => {
  const both = loginMethods({ privateKey: 'k', password: 'p' }, true);
  const cb = () => undefined;
  assert.equal(both(null as never, false, cb), 'publickey');
  // the server's answer to a failed key: password is not offered, keyboard-interactive is
  assert.equal(both(['keyboard-interactive'], false, cb), 'keyboard-interactive');
  assert.equal(both(['keyboard-interactive'], false, cb), false);
  const password = loginMethods({ password: 'p' }, false);
  assert.equal(password(null as never, false, cb), 'password');
  assert.equal(password(['password', 'publickey'], false, cb), false, 'keyboard-interactive only when asked for');
  assert.equal(loginMethods({}, true)(null as never, false, cb), 'none', 'without credentials only none is tried');
});

test('a device that offers only keyboard-interactive: password first, then the password as the answer', async () => {
  const tried: string[] = [];
  const key = replayHostKey();
  const server = new Server({ hostKeys: [key.private] }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      tried.push(ctx.method);
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => (answers[0] === 'secret-1' ? ctx.accept() : ctx.reject()));
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (ok) => ok?.());
        session.on('shell', (ok) => {
          const ch = ok();
          ch.write('kbd1#');
          ch.on('data', (d: Buffer) => ch.write(`${d.toString().trim()}\r\nkbd1#`));
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const knownHosts = join(mkdtempSync(join(tmpdir(), 'nrx-kbd-')), 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${key.public.trim().split(/\s+/).slice(0, 2).join(' ')}\n`);
  const d = cliDriver({
    device: 'kbd1',
    host: '127.0.0.1',
    port,
    username: 'admin',
    password: 'secret-1',
    platform: 'cisco_ios',
    knownHostsFile: knownHosts,
    hostKeyPolicy: 'strict',
  });
  try {
    await d.connect();
    assert.deepEqual(tried, ['password', 'keyboard-interactive']);
  } finally {
    await d.close();
    server.close();
  }
});

test('the answer to an OpenSSH host-key proof is followed at once by no-more-sessions (it carries the ACK sshd waits for)', async () => {
  const { EventEmitter } = await import('node:events');
  const { answerHostKeysPromptly } = await import('../../../drivers/transports/ssh-login.js');
  const sent: string[] = [];
  const client = Object.assign(new EventEmitter(), { openssh_noMoreSessions: () => void sent.push('no-more-sessions') });
  answerHostKeysPromptly(client as never);
  assert.deepEqual(sent, [], 'nothing before the server proved its keys');
  client.emit('hostkeys', []);
  client.emit('hostkeys', []);
  assert.deepEqual(sent, ['no-more-sessions'], 'once');
});
