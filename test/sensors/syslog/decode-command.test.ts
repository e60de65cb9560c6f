import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { Command } from 'commander';
import { decodeSyslogStream, registerDecode } from '../../../src/cli/commands/decode.js';

async function decode(input: string, opts = {}): Promise<{ out: string[]; err: string; r: { lines: number; malformed: number } }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errs: string[] = [];
  out.on('data', (c) => chunks.push(String(c)));
  err.on('data', (c) => errs.push(String(c)));
  const r = await decodeSyslogStream(Readable.from([input]), out, err, { receivedAt: '2026-11-22T00:10:00Z', ...opts });
  return { out: chunks.join('').split('\n').filter(Boolean), err: errs.join(''), r };
}

test('decode syslog: one {"type","payload"} JSON line per input line, malformed lines named on stderr', async () => {
  const { out, err, r } = await decode(
    '<30>1 2026-11-22T00:02:14.936152+00:00 r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.1(r1) in vrf default Down Interface down\r\n\n<999>bad\n<86>Nov 22 00:07:28 vm sshd[1]: hi',
  );
  assert.deepEqual(r, { lines: 3, malformed: 1 });
  const objs = out.map((l) => JSON.parse(l) as { type: string; payload: Record<string, unknown> });
  assert.deepEqual(Object.keys(objs[0]!), ['type', 'payload']);
  assert.equal(objs[0]!.type, 'network.bgp_peer_state_changed');
  assert.equal(objs[0]!.payload.state, 'idle');
  assert.equal(objs[1]!.type, 'network.syslog');
  assert.match(err, /^line 3: NRX_ERR_DECODE: .*PRI 999 out of range/);
});

test('decode syslog --platform forces the dialect', async () => {
  const line = '<187>1: Nov 22 00:01:00: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down';
  assert.equal((JSON.parse((await decode(line, { platform: 'frr' })).out[0]!) as { type: string }).type, 'network.syslog');
  assert.equal((JSON.parse((await decode(line, { platform: 'cisco_ios' })).out[0]!) as { type: string }).type, 'network.interface_down');
});

test('registerDecode returns the decode group so other sensors can add subcommands', () => {
  const program = new Command();
  const decodeCmd = registerDecode(program);
  decodeCmd.command('sflow');
  assert.deepEqual(decodeCmd.commands.map((c) => c.name()).sort(), ['sflow', 'syslog']);
  assert.equal(
    program.commands.find((c) => c.name() === 'decode'),
    decodeCmd,
  );
});
