import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../../src/core/errors.js';
import { decodeSyslog } from '../../../src/sensors/syslog/decode.js';

const at = (receivedAt: string) => ({ receivedAt, sourceAddress: '192.0.2.9' });
const d = (line: string | Buffer, receivedAt = '2026-11-22T00:10:00Z') => decodeSyslog(line, at(receivedAt));

describe('RFC 5424', () => {
  test('rsyslog relay of FRR (two spaces before MSG) keeps every header field', () => {
    const m = d(
      '<30>1 2026-11-22T00:02:14.936152+00:00 r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.1(r1) in vrf default Down Interface down\n',
    );
    assert.equal(m.format, '5424');
    assert.deepEqual(
      [m.facility, m.severity, m.timestamp, m.hostname, m.appName, m.procId, m.msgId],
      [3, 6, '2026-11-22T00:02:14.936Z', 'r2', 'bgpd', '13564', null],
    );
    assert.equal(m.message, '[PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.1(r1) in vrf default Down Interface down');
    assert.deepEqual(m.structuredData, {});
  });

  test('structured data with escapes, several elements, and a time offset', () => {
    const m = d(
      '<165>1 2003-10-11T22:14:15.003-07:00 mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ic\\]ation\\\\x" eventID="1011"][examplePriority@32473 class="high"] An application event',
    );
    assert.equal(m.timestamp, '2003-10-12T05:14:15.003Z');
    assert.equal(m.msgId, 'ID47');
    assert.deepEqual(m.structuredData, {
      'exampleSDID@32473': { iut: '3', eventSource: 'Appl"ic]ation\\x', eventID: '1011' },
      'examplePriority@32473': { class: 'high' },
    });
    assert.equal(m.message, 'An application event');
  });

  test('the UTF-8 BOM before MSG is stripped (Open vSwitch, bytes as recorded)', () => {
    const m = d(readFileSync(new URL('./fixtures/ovs-bond-bom.bin', import.meta.url)));
    assert.equal(m.message, 'member lagx2-b: disabled');
    assert.equal(m.msgId, 'bond');
    assert.equal(m.facility, 16);
  });

  test('NILVALUE everywhere and no MSG', () => {
    const m = d('<13>1 - - - - - -');
    assert.deepEqual([m.timestamp, m.hostname, m.appName, m.procId, m.msgId, m.message], [null, null, null, null, null, '']);
  });

  test('an SD-ID named __proto__ is a plain key, not a prototype change', () => {
    const m = d('<13>1 - h a - - [__proto__ polluted="yes"] x');
    assert.equal(Object.getPrototypeOf(m.structuredData), Object.prototype);
    assert.deepEqual(Object.keys(m.structuredData), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('RFC 3164 and the variations devices send', () => {
  test('logger --rfc3164: year from the arrival time', () => {
    const m = d('<189>Nov 22 00:07:58 vm bgpd: %ADJCHANGE: x');
    assert.deepEqual(
      [m.format, m.facility, m.severity, m.timestamp, m.hostname, m.appName, m.message],
      ['3164', 23, 5, '2026-11-22T00:07:58.000Z', 'vm', 'bgpd', '%ADJCHANGE: x'],
    );
  });

  test("missing year across New Year: a Dec 31 message read on Jan 1 is last year's; a fast clock's Jan 1 read on Dec 31 is next year's", () => {
    assert.equal(d('<13>Dec 31 23:59:59 h p: x', '2027-01-01T00:00:02Z').timestamp, '2026-12-31T23:59:59.000Z');
    assert.equal(d('<13>Jan  1 00:00:01 h p: x', '2026-12-31T23:59:59Z').timestamp, '2027-01-01T00:00:01.000Z');
    assert.equal(d('<13>Feb  7 22:22:35 h p: x', '2026-11-22T00:00:00Z').timestamp, '2026-02-07T22:22:35.000Z');
  });

  test('Feb 29 resolves to a leap year or not at all', () => {
    assert.equal(d('<13>Feb 29 10:00:00 h p: x', '2028-03-05T00:00:00Z').timestamp, '2028-02-29T10:00:00.000Z');
    // no leap year within reach of 2026: not a timestamp, so no hostname either (RFC 3164 4.3.3)
    const m = d('<13>Feb 29 10:00:00 h p: x', '2026-03-05T00:00:00Z');
    assert.deepEqual([m.timestamp, m.hostname], [null, null]);
  });

  test("a zone-less time a whole number of quarter hours off arrival is read as the device's local time", () => {
    // device in UTC+5:30 logging local time 05:40, arriving at 00:10 UTC
    assert.equal(d('<13>Nov 22 05:40:00 h p: x', '2026-11-22T00:10:03Z').timestamp, '2026-11-22T00:10:00.000Z');
    // a few minutes of clock skew is not a zone
    assert.equal(d('<13>Nov 22 00:14:00 h p: x', '2026-11-22T00:10:00Z').timestamp, '2026-11-22T00:14:00.000Z');
    assert.equal(decodeSyslog('<13>Nov 22 05:40:00 h p: x', { ...at('2026-11-22T00:10:03Z'), inferZone: false }).timestamp, '2026-11-22T05:40:00.000Z');
  });

  test('Cisco IOS: sequence number, origin-id hostname, milliseconds and zone', () => {
    const m = d('<189>1179: NetAuto_CSRv-03: May 31 15:25:53.743 MEST: %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down');
    assert.deepEqual([m.sequence, m.hostname, m.timestamp, m.appName], [1179, 'NetAuto_CSRv-03', '2026-05-31T13:25:53.743Z', null]);
    assert.ok(m.message.startsWith('%LINK-5-CHANGED: Interface'));
  });

  test('Cisco with an unset clock (*) and no hostname', () => {
    const m = d('<189>117: *Mar  1 00:00:00.123: %SYS-5-CONFIG_I: Configured from console');
    assert.deepEqual([m.sequence, m.hostname, m.timestamp, m.message], [117, null, '2026-03-01T00:00:00.123Z', '%SYS-5-CONFIG_I: Configured from console']);
  });

  test('Cisco with the year in the timestamp, no PRI-less confusion', () => {
    assert.equal(d('<189>5: Mar  1 2024 00:00:00.000 UTC: %SYS-5-RESTART: System restarted').timestamp, '2024-03-01T00:00:00.000Z');
  });

  test('IOS-XR: hostname, node id glued to the time, process tag', () => {
    const m = d('<149>2647599: vmx01 RP/0/RSP1/CPU0:Mar 28 15:08:30.941 UTC: bgp[1051]: %ROUTING-BGP-5-MAXPFX : No. of IPv6 Unicast prefixes');
    assert.deepEqual(
      [m.sequence, m.hostname, m.node, m.timestamp, m.appName, m.procId],
      [2647599, 'vmx01', 'RP/0/RSP1/CPU0', '2026-03-28T15:08:30.941Z', 'bgp', '1051'],
    );
  });

  test('IOS-XR without a clock zone: the empty place before the colon is not content (napalm-logs iosxr fixtures)', () => {
    const m = d(
      '<187>94307: gw2.acy1 LC/0/2/CPU0:Jul  7 20:16:14.834 : ifmgr[214]: %PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Down',
    );
    assert.deepEqual([m.hostname, m.node, m.timestamp, m.appName, m.procId], ['gw2.acy1', 'LC/0/2/CPU0', '2026-07-07T20:16:14.834Z', 'ifmgr', '214']);
    assert.equal(m.message, '%PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Down');
  });

  test('NX-OS: year first, hostname, no program', () => {
    const m = d('<190>2018 Oct 31 08:12:52 sw01.test %ETHPORT-5-IF_DOWN_ERROR_DISABLED: Interface Ethernet1/3 is down');
    assert.deepEqual([m.timestamp, m.hostname, m.appName], ['2018-10-31T08:12:52.000Z', 'sw01.test', null]);
  });

  test('Junos: two spaces before the hostname, daemon[pid]', () => {
    const m = d('<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_OSPF_NBRDOWN: x');
    assert.deepEqual([m.hostname, m.appName, m.procId, m.message], ['vmx01', 'rpd', '2902', 'RPD_OSPF_NBRDOWN: x']);
  });

  test('ISO timestamps in 3164 (rsyslog forward format)', () => {
    const m = d('<30>2026-11-22T00:01:49.881748+00:00 r2 bgpd[13564]: [N9HHH-F8H1M] %ADJCHANGE: up');
    assert.deepEqual([m.format, m.timestamp, m.hostname, m.appName, m.procId], ['3164', '2026-11-22T00:01:49.881Z', 'r2', 'bgpd', '13564']);
  });

  test('missing PRI: RFC 3164 defaults (user.notice), still parsed', () => {
    const m = d('Nov 22 00:07:58 vm bgpd: hello');
    assert.deepEqual([m.hasPri, m.facility, m.severity, m.hostname, m.appName, m.format], [false, 1, 5, 'vm', 'bgpd', '3164']);
    const plain = d('just some text');
    assert.deepEqual([plain.format, plain.message, plain.hostname, plain.timestamp], ['unknown', 'just some text', null, null]);
  });

  test('trailing CR, LF and NUL are not content', () => {
    assert.equal(d('<13>Nov 22 00:07:58 vm p: hello\r\n\0').message, 'hello');
    assert.equal(d('<13>Nov 22 00:07:58 vm p: hello\r\n\0').raw, '<13>Nov 22 00:07:58 vm p: hello');
  });

  test('a PRI with no timestamp keeps the whole rest as content', () => {
    const m = d('<13>no timestamp here');
    assert.deepEqual([m.format, m.hostname, m.timestamp, m.message], ['3164', null, null, 'no timestamp here']);
  });
});

describe('malformed input: NRX_ERR_DECODE naming what and where', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['empty', '', /empty message at offset 0/],
    ['only a newline', '\n', /empty message/],
    ['PRI not a number', '<ab>x', /PRI is not a number at offset 1/],
    ['PRI not closed', '<13 hello', /PRI not closed by '>' at offset 3/],
    ['PRI too long', '<1234>x', /PRI longer than 3 digits/],
    ['PRI out of range', '<192>x', /PRI 192 out of range 0-191/],
    ['NUL inside', 'abc\0def', /NUL byte inside the message .* at offset 3/],
    ['bad 5424 timestamp', '<13>1 2026-13-01T00:00:00Z h a - - - x', /TIMESTAMP '2026-13-01T00:00:00Z' is not RFC 3339/],
    ['SD not closed', '<13>1 - h a - - [id k="v"', /structured data element not closed/],
    ['SD value not closed', '<13>1 - h a - - [id k="v', /value of 'k' not closed/],
    ['SD without value', '<13>1 - h a - - [id k=v]', /parameter 'k' needs ="value"/],
    ['SD garbage', '<13>1 - h a - - x', /STRUCTURED-DATA must be '-' or start with '\['/],
    ['header cut short', '<13>1 - h', /header ends before APP-NAME/],
    ['oversized', Buffer.alloc(70_000, 0x41), /longer than 65536/],
  ];
  for (const [name, input, re] of cases) {
    test(name, () => {
      assert.throws(
        () => d(input),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_DECODE' && re.test(e.message) && /syslog from 192\.0\.2\.9/.test(e.message),
      );
    });
  }
});

describe('hostile input (fast-check): nothing but NrxError is ever thrown', () => {
  const onlyDecodeErrors = (input: string | Uint8Array): void => {
    try {
      const m = decodeSyslog(typeof input === 'string' ? input : Buffer.from(input), at('2026-11-22T00:10:00Z'));
      assert.ok(m.facility >= 0 && m.facility <= 23 && m.severity >= 0 && m.severity <= 7);
      assert.ok(m.timestamp === null || !Number.isNaN(Date.parse(m.timestamp)));
    } catch (e) {
      if (!(e instanceof NrxError) || e.code !== 'NRX_ERR_DECODE') throw e;
    }
  };
  const valid = [
    '<30>1 2026-11-22T00:02:14.936152+00:00 r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.1(r1) in vrf default Down',
    '<165>1 2003-10-11T22:14:15.003-07:00 host app - ID47 [a@1 k="v\\"x" j="\\]"][b@2 c="d"] msg',
    '<189>1179: NetAuto_CSRv-03: May 31 15:25:53.743 MEST: %LINK-5-CHANGED: Interface Gi2, changed state to down',
    '<149>2647599: vmx01 RP/0/RSP1/CPU0:Mar 28 15:08:30.941 UTC: bgp[1051]: %ROUTING-BGP-5-MAXPFX : x',
    '<190>40: xrv RP/0/RP0/CPU0:Oct  4 22:52:47.441 : cfgmgr_trial_confirm[67310]: %MGBL-CONFIG-6-DB_COMMIT : x',
    '<190>2018 Oct 31 08:12:52 sw01.test %ETHPORT-5-IF_DOWN_ERROR_DISABLED: Interface Ethernet1/3 is down',
    '<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 1.1.1.1 (External AS 2222)',
  ];

  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyDecodeErrors), { numRuns: 3000 });
  });

  test('random strings built from syslog-ish pieces', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '13',
      '191',
      '1 ',
      '-',
      ' ',
      '[',
      ']',
      '"',
      '=',
      '\\',
      ':',
      'Nov',
      '22',
      '00:00:00',
      '.123',
      'UTC',
      '*',
      '2026-11-22T00:00:00Z',
      '+05:30',
      'host',
      'prog[1]',
      '%BGP-5-ADJCHANGE',
      '\ufeff',
      '\n',
      '\0',
      'é',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((a) => a.join('')),
        onlyDecodeErrors,
      ),
      { numRuns: 5000 },
    );
  });

  test('every truncation of real lines', () => {
    for (const line of valid) for (let i = 0; i <= line.length; i++) onlyDecodeErrors(line.slice(0, i));
  });

  test('real lines with one byte replaced', () => {
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 255 }), (line, pos, byte) => {
        const b = Buffer.from(line);
        b[pos % b.length] = byte;
        onlyDecodeErrors(b);
      }),
      { numRuns: 5000 },
    );
  });
});
