import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isNrxError } from '../../src/core/errors.js';
import { IrcClient, checkChannel, messageLines, parseIrcLine } from '../../src/chat/irc-client.js';

describe('IRC protocol pieces', () => {
  test('lines parse into prefix, command and parameters (trailing one with spaces)', () => {
    assert.deepEqual(parseIrcLine(':alice!a@10.0.0.5 PRIVMSG #noc :!bgp summary leaf1'), {
      prefix: 'alice!a@10.0.0.5',
      command: 'PRIVMSG',
      params: ['#noc', '!bgp summary leaf1'],
    });
    assert.deepEqual(parseIrcLine('PING :irc.example'), { prefix: null, command: 'PING', params: ['irc.example'] });
    assert.deepEqual(parseIrcLine('@time=2026-01-01T00:00:00Z :srv 001 nrxbot :Welcome'), { prefix: 'srv', command: '001', params: ['nrxbot', 'Welcome'] });
  });

  test('a message becomes one PRIVMSG text per line; CR, NUL and overlong lines cannot end a command early', () => {
    assert.deepEqual(messageLines('BGP summary:\r\n10.0.1.1 up\n\n10.0.2.1 idle'), ['BGP summary:', '10.0.1.1 up', '10.0.2.1 idle']);
    assert.deepEqual(messageLines('x\rQUIT :bye'), ['x', 'QUIT :bye'], 'a bare CR is a line break, sent as a text line of its own');
    assert.deepEqual(messageLines('a\u0000b'), ['ab']);
    const long = messageLines('é'.repeat(500));
    assert.ok(long.length === 3 && long.every((l) => Buffer.byteLength(l) <= 400));
    assert.equal(long.join(''), 'é'.repeat(500));
  });

  test('channel and nick names that could smuggle a command are refused', () => {
    assert.equal(checkChannel('#noc'), '#noc');
    for (const bad of ['noc', '#noc\r\nQUIT', '#a,#b', '#a b', ''])
      assert.throws(
        () => checkChannel(bad),
        (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_CONFIG',
      );
    assert.throws(() => new IrcClient({ host: '127.0.0.1', port: 6667, nick: 'bot\r\nJOIN #x', channels: ['#noc'] }), /not a valid nick/);
    const c = new IrcClient({ host: '127.0.0.1', port: 6667, nick: 'bot', channels: ['#noc'] });
    assert.throws(
      () => c.say('#noc\r\nQUIT', 'hi'),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_CHAT',
    );
  });
});
