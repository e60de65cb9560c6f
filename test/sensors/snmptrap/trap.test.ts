import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeTrapCapture, parseUsmUser } from '../../../src/cli/commands/decode-sflow-trap.js';
import { NrxError } from '../../../src/core/errors.js';
import { registerBuiltins } from '../../../src/events/builtin-triggers.js';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import { TriggerRegistry } from '../../../src/events/trigger-registry.js';
import { TrapListener } from '../../../src/sensors/snmptrap/listener.js';
import { decodeOid } from '../../../src/sensors/snmptrap/ber.js';
import { decodeTrap } from '../../../src/sensors/snmptrap/message.js';
import { normaliseTrap } from '../../../src/sensors/snmptrap/normalise.js';
import { registerSnmpTrapTriggers } from '../../../src/sensors/snmptrap/triggers.js';
import { localizedKey } from '../../../src/sensors/snmptrap/usm.js';

const FIX = new URL('./fixtures/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIX));
const USERS = ['labv3:sha:authpass123:aes:privpass123', 'desuser:md5:authpass456:des:privpass456'].map(parseUsmUser);
const registry = new TriggerRegistry();
registerBuiltins(registry);
registerSnmpTrapTriggers(registry);

describe('USM', () => {
  test('password to localized key matches RFC 3414 A.3 (MD5 and SHA, "maplesyrup")', () => {
    const engine = Buffer.from('000000000000000000000002', 'hex');
    assert.equal(localizedKey('md5', 'maplesyrup', engine).toString('hex'), '526f5eed9fcce26f8964c2930787d82b');
    assert.equal(localizedKey('sha', 'maplesyrup', engine).toString('hex'), '6695febc9288e36282235fc7151f128497b38f3f');
  });
});

describe('trap decoder on traps sent by net-snmp snmptrap (fixtures)', () => {
  test('v2c linkDown -> network.interface_down with ifIndex and statuses', () => {
    const t = decodeTrap(fixture('v2c-linkdown.bin'));
    assert.deepEqual([t.version, t.community, t.trapOid], ['v2c', 'public', '1.3.6.1.6.3.1.1.5.3']);
    const e = normaliseTrap(t, { sourceAddress: '127.0.0.1', ifNameOf: (a, i) => (a === '127.0.0.1' && i === 2 ? 'eth0' : undefined), deviceOf: () => 'r1' });
    assert.equal(e.type, 'network.interface_down');
    assert.deepEqual(
      [e.payload.interface, e.payload.ifIndex, e.payload.ifName, e.payload.admin_status, e.payload.oper_status, e.device],
      ['eth0', 2, 'eth0', 'up', 'down', 'r1'],
    );
    assert.equal(registry.validate(e.type, e.payload), null);
  });

  test('v1 linkUp translated per RFC 3584, ifName taken from the trap', () => {
    const t = decodeTrap(fixture('v1-linkup.bin'));
    assert.deepEqual([t.version, t.trapOid, t.genericTrap, t.agentAddress], ['v1', '1.3.6.1.6.3.1.1.5.4', 3, '127.0.0.1']);
    const e = normaliseTrap(t, { sourceAddress: '127.0.0.1' });
    assert.deepEqual([e.type, e.payload.interface, e.payload.ifIndex], ['network.interface_up', 'eth1', 3]);
  });

  test('v3 authPriv SHA/AES: BGP backward transition -> bgp_peer_state_changed with peer, state and reason', () => {
    const t = decodeTrap(fixture('v3-authpriv-aes.bin'), { users: USERS });
    assert.deepEqual([t.version, t.user, t.engineId, t.securityLevel], ['v3', 'labv3', '8000000001020304', 'authPriv']);
    const e = normaliseTrap(t, { sourceAddress: '127.0.0.1' });
    assert.deepEqual(
      [e.type, e.payload.peer, e.payload.state, e.payload.reason],
      ['network.bgp_peer_state_changed', '10.0.12.2', 'idle', 'cease (code 6, subcode 4)'],
    );
    assert.equal(registry.validate(e.type, e.payload), null);
  });

  test('v3 authPriv MD5/DES: coldStart -> network.device_restarted', () => {
    const e = normaliseTrap(decodeTrap(fixture('v3-authpriv-des-md5.bin'), { users: USERS }), { sourceAddress: '127.0.0.1' });
    assert.deepEqual([e.type, e.payload.restart], ['network.device_restarted', 'cold']);
    assert.equal(registry.validate(e.type, e.payload), null);
  });

  test('v3 refused with NRX_ERR_SNMP_AUTH: unknown user, wrong password, wrong engine, tampered byte', () => {
    const msg = fixture('v3-authpriv-aes.bin');
    const auth = (e: unknown): boolean => e instanceof NrxError && e.code === 'NRX_ERR_SNMP_AUTH';
    assert.throws(() => decodeTrap(msg), auth);
    assert.throws(
      () => decodeTrap(msg, { users: [parseUsmUser('labv3:sha:wrongpass1:aes:privpass123')] }),
      (e: unknown) => auth(e) && /wrong digest/.test((e as Error).message),
    );
    assert.throws(() => decodeTrap(msg, { users: [{ ...USERS[0]!, engineIds: ['800000000102ffff'] }] }), auth);
    const tampered = Buffer.from(msg);
    tampered[tampered.length - 3]! ^= 0x55;
    assert.throws(() => decodeTrap(tampered, { users: USERS }), auth);
    assert.throws(() => decodeTrap(msg, { users: [parseUsmUser('labv3:sha:authpass123:aes:wrongpriv1')] }), auth);
  });

  test('anything else -> network.snmp_trap with numeric OIDs and typed values (decode trap --pcap)', () => {
    const out = decodeTrapCapture(fixture('snmptrap-v1-v2c-v3.pcap'), { users: USERS });
    assert.deepEqual(
      out.map((r) => ('line' in r ? r.line.type : r.error.code)),
      ['network.interface_down', 'network.interface_up', 'network.bgp_peer_state_changed', 'network.device_restarted', 'network.snmp_trap'],
    );
    const last = out[4]!;
    assert.ok('line' in last);
    const p = last.line.payload as Record<string, unknown>;
    assert.equal(p.trap_oid, '1.3.6.1.4.1.8072.2.3.0.1');
    assert.deepEqual(
      (p.varbinds as Array<{ type: string; value: unknown }>).map((v) => [v.type, v.value]),
      [
        ['Integer', 123456],
        ['OctetString', 'r1'],
        ['IpAddress', '10.0.0.1'],
        ['Counter32', 4294967295],
        ['Counter64', '18446744073709551615'],
        ['OID', '1.3.6.1.4.1.8072.3.2.10'],
        ['TimeTicks', 12345],
        ['Integer', -5],
      ],
    );
    assert.equal(registry.validate('network.snmp_trap', p), null);
    // without the v3 users the two v3 traps are reported, the others still decoded
    const noUsers = decodeTrapCapture(fixture('snmptrap-v1-v2c-v3.pcap'));
    assert.deepEqual(
      noUsers.map((r) => ('line' in r ? 'ok' : r.error.code)),
      ['ok', 'ok', 'NRX_ERR_SNMP_AUTH', 'NRX_ERR_SNMP_AUTH', 'ok'],
    );
  });
});

describe('varbind values', () => {
  // a v2c trap built by hand, for values no fixture carries
  const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from(body.length < 128 ? [tag, body.length] : [tag, 0x81, body.length]), body]);
  const oid = (dotted: string): Buffer => {
    const [a, b, ...rest] = dotted.split('.').map(Number);
    const out = [a! * 40 + b!];
    for (const arc of rest) {
      const septets = [arc & 0x7f];
      for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) septets.unshift((v & 0x7f) | 0x80);
      out.push(...septets);
    }
    return tlv(0x06, Buffer.from(out));
  };
  const v2cTrap = (values: Buffer[]): Buffer => {
    const vbs = [
      tlv(0x30, Buffer.concat([oid('1.3.6.1.2.1.1.3.0'), tlv(0x43, Buffer.from([5]))])),
      tlv(0x30, Buffer.concat([oid('1.3.6.1.6.3.1.1.4.1.0'), oid('1.3.6.1.4.1.99.0.1')])),
    ];
    values.forEach((v, i) => vbs.push(tlv(0x30, Buffer.concat([oid(`1.3.6.1.4.1.99.${i + 1}`), tlv(0x04, v)]))));
    const pdu = tlv(
      0xa7,
      Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x02, Buffer.from([0])), tlv(0x02, Buffer.from([0])), tlv(0x30, Buffer.concat(vbs))]),
    );
    return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x04, Buffer.from('public')), pdu]));
  };

  test('octet strings: ASCII and UTF-8 as text; control bytes, broken UTF-8 and U+FFFD as hex', () => {
    const t = decodeTrap(
      v2cTrap([
        Buffer.from('Gi0/1\tuplink\r\n'),
        Buffer.from('héllo'),
        Buffer.alloc(0),
        Buffer.from([0x65, 0x00, 0x66]),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('\ufffd'),
        Buffer.from([0x7f]),
      ]),
    );
    assert.equal(t.trapOid, '1.3.6.1.4.1.99.0.1');
    assert.deepEqual(t.varbinds, [
      { oid: '1.3.6.1.4.1.99.1', type: 'OctetString', value: 'Gi0/1\tuplink\r\n' },
      { oid: '1.3.6.1.4.1.99.2', type: 'OctetString', value: 'héllo' },
      { oid: '1.3.6.1.4.1.99.3', type: 'OctetString', value: '' },
      { oid: '1.3.6.1.4.1.99.4', type: 'OctetString', value: '650066', hex: true },
      { oid: '1.3.6.1.4.1.99.5', type: 'OctetString', value: 'c328', hex: true },
      { oid: '1.3.6.1.4.1.99.6', type: 'OctetString', value: 'efbfbd', hex: true },
      { oid: '1.3.6.1.4.1.99.7', type: 'OctetString', value: '7f', hex: true },
    ]);
    // the order JSON shows: oid, type, value
    assert.equal(JSON.stringify(t.varbinds[0]), '{"oid":"1.3.6.1.4.1.99.1","type":"OctetString","value":"Gi0/1\\tuplink\\r\\n"}');
  });

  test('OIDs with large sub-identifiers and the 2.x first arc decode as dotted text', () => {
    const t = decodeTrap(v2cTrap([]));
    assert.equal(t.uptime, 5);
    assert.equal(decodeOid(Buffer.from([0x88, 0x37, 0x03]), 0, 'f'), '2.999.3');
    assert.equal(decodeOid(Buffer.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0x8f, 0xff, 0xff, 0xff, 0x7f]), 0, 'f'), '1.3.6.1.4.1.4294967295');
    assert.throws(() => decodeOid(Buffer.from([0x2b, 0x86]), 0, 'f'), /ends inside a sub-identifier/);
  });
});

describe('hostile input to the BER decoder', () => {
  const real = ['v2c-linkdown.bin', 'v1-linkup.bin', 'v3-authpriv-aes.bin', 'v3-authpriv-des-md5.bin'].map(fixture);
  const refusesCleanly = (b: Buffer): void => {
    try {
      decodeTrap(b, { users: USERS });
    } catch (e) {
      if (!(e instanceof NrxError) || (e.code !== 'NRX_ERR_DECODE' && e.code !== 'NRX_ERR_SNMP_AUTH')) throw e;
    }
  };
  test('random bytes, random bytes inside a SEQUENCE, truncations and byte flips never throw anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (a) => refusesCleanly(Buffer.from(a))),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (a) =>
        refusesCleanly(
          Buffer.concat([
            Buffer.from([0x30, a.length > 127 ? 0x81 : a.length]),
            ...(a.length > 127 ? [Buffer.from([a.length])] : []),
            Buffer.from([0x02, 0x01, 0x01, 0x04, 0x06]),
            Buffer.from('public'),
            Buffer.from(a),
          ]),
        ),
      ),
      { numRuns: 3000 },
    );
    for (const m of real) for (let n = 0; n < m.length; n++) refusesCleanly(Buffer.from(m.subarray(0, n)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: real.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (w, at, v) => {
        const b = Buffer.from(real[w]!);
        b[at % b.length] = v;
        refusesCleanly(b);
      }),
      { numRuns: 5000 },
    );
  });

  test('indefinite and oversized lengths are refused with the offset', () => {
    assert.throws(() => decodeTrap(Buffer.from([0x30, 0x80, 0, 0])), /offset 1, field 'message': indefinite length/);
    assert.throws(() => decodeTrap(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])), /offset 0, field 'message': length 4294967295 runs past/);
  });
});

describe('TrapListener with real snmptrap senders', () => {
  test('v1, v2c, v3 authPriv (SHA/AES, MD5/DES) arrive as events; a wrong v3 password is counted, not published', async () => {
    const events: EventEnvelope[] = [];
    const listener = new TrapListener({ host: '127.0.0.1', port: 0, users: USERS, onEvent: (e) => events.push(e) });
    const { port } = await listener.start();
    try {
      const send = (args: string[]): void => {
        const r = spawnSync('snmptrap', ['-m', '', ...args.map((a) => a.replace('TARGET', `127.0.0.1:${port}`))], {
          encoding: 'utf8',
          env: { ...process.env, MIBS: '' },
        });
        assert.equal(r.status, 0, `snmptrap ${args.join(' ')}: ${r.stderr}${r.error ? String(r.error) : ''}`);
      };
      send(['-v', '2c', '-c', 'public', 'TARGET', '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7', '1.3.6.1.2.1.31.1.1.1.1.7', 's', 'swp7']);
      send(['-v', '1', '-c', 'public', 'TARGET', '', '127.0.0.1', '3', '0', '', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7']);
      send([
        '-v',
        '3',
        '-e',
        '0x80000000010a0b0c',
        '-u',
        'labv3',
        '-l',
        'authPriv',
        '-a',
        'SHA',
        '-A',
        'authpass123',
        '-x',
        'AES',
        '-X',
        'privpass123',
        'TARGET',
        '',
        '1.3.6.1.2.1.15.7.1',
        '1.3.6.1.2.1.15.3.1.2.192.0.2.9',
        'i',
        '6',
      ]);
      send([
        '-v',
        '3',
        '-e',
        '0x80000000010a0b0d',
        '-u',
        'desuser',
        '-l',
        'authPriv',
        '-a',
        'MD5',
        '-A',
        'authpass456',
        '-x',
        'DES',
        '-X',
        'privpass456',
        'TARGET',
        '',
        '1.3.6.1.6.3.1.1.5.2',
      ]);
      send([
        '-v',
        '3',
        '-e',
        '0x80000000010a0b0e',
        '-u',
        'labv3',
        '-l',
        'authPriv',
        '-a',
        'SHA',
        '-A',
        'notthepass',
        '-x',
        'AES',
        '-X',
        'privpass123',
        'TARGET',
        '',
        '1.3.6.1.6.3.1.1.5.1',
      ]);
      for (let i = 0; i < 100 && listener.counters.received < 5; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await listener.close();
    }
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.payload.interface ?? e.payload.peer ?? e.payload.restart} ${e.payload.state ?? ''}`.trim()),
      ['network.interface_down swp7', 'network.interface_up 7', 'network.bgp_peer_state_changed 192.0.2.9 established', 'network.device_restarted warm'],
    );
    assert.ok(events.every((e) => e.source === 'sensor:snmptrap' && e.payload.host === '127.0.0.1'));
    assert.deepEqual(listener.counters.snapshot(), { received: 5, decoded: 4, normalised: 4, unknown: 0, malformed: 1, dropped: 0 });
    assert.equal(listener.authFailures, 1);
  });
});
