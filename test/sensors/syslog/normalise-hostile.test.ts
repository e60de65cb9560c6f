import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSyslog } from '../../../src/sensors/syslog/decode.js';
import { identifyDevice } from '../../../src/sensors/syslog/device.js';
import { normaliseSyslog } from '../../../src/sensors/syslog/normalise.js';
import { PLATFORM_NORMALISERS } from '../../../src/sensors/syslog/platforms/index.js';

// Anyone who reaches the syslog port can send these: a normaliser pattern that backtracks
// quadratically stalls the event loop for seconds on one 60 kB datagram. Each line is the shape
// of a real message, padded where a pattern has a free-text group.
const pad = (s: string) => s.repeat(Math.floor(60_000 / s.length));
const hostile = [
  `<187>1: xr1 RP/0/RSP0/CPU0:Nov 22 00:01:00.000 UTC: bgp[1]: %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Down - ${pad(' ')}x`,
  `<190>1: xr1 RP/0/RP0/CPU0:Jun 27 23:14:49.839 JST: bfd[1]: %L2-BFD-6-SESSION_STATE_DOWN : BFD session to neighbor a on interface b has gone down. Reason: ${pad('.')}x`,
  `<190>1: xr1 RP/0/RP0/CPU0:Jun 27 23:14:49.839 JST: isis[1]: %ROUTING-ISIS-5-ADJCHANGE : ISIS (${pad('(')}`,
  `<14>Nov  6 13:36:45 H System: Interface a, state down - ${pad(' ')}x`,
  `<13>Jul  6 21:55:43 H BFD: Session DOWN for 1.1.1.1 on ve Reason:${pad(' ')}x`,
  `<13>Mar  4 09:15:48 H ISIS: L2 Neighbor a Down on ${pad('x ')} due to${pad(' ')}y`.slice(0, 60_000),
  `<13>May 19 03:57:38 H BGP: Peer 10.10.7.134 DOWN (${pad(' ')}x`,
  `<165>Feb  6 08:27:14 v Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface E28 (${pad('(), ')}, changed state to upx`,
  `<29>Dec 14 12:07:43 H Isis: %ISIS-4-ISIS_ADJCHG: L1 Neighbor State Change for SystemID 1 on et7 to ${pad('D')}`,
  `<175>Nov  4 07:05:36 s lacpd[1]: LACP_INTF_DOWN: ae1: Interface marked down due to ${pad(' on member b')} c`,
  `<189>1: Nov 22 00:01:00: %EC-5-L3DONTBNDL2: Gi1 suspended: ${pad('.')}x`,
  `<189>1: Nov 22 00:01:00: %BGP-5-ADJCHANGE: neighbor 1.2.3.4 Down ${pad(' ')}x`,
  `<165>Oct 22 12:25:24 G ConfigAgent: %SYS-5-CONFIG_STARTUP: Startup config saved from a by b on c (${pad('(')}`,
];

test('60 kB hostile lines go through every platform normaliser in well under a second each', () => {
  for (const line of hostile) {
    const msg = decodeSyslog(line, { receivedAt: '2026-11-22T00:10:00Z', sourceAddress: '192.0.2.9' });
    for (const platform of [null, ...PLATFORM_NORMALISERS.keys()]) {
      const t0 = process.hrtime.bigint();
      const ev = normaliseSyslog(msg, { device: identifyDevice(null, msg.hostname, msg.sourceAddress), platform });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.ok(ms < 500, `${ms.toFixed(0)} ms for ${line.slice(0, 70)}... as ${platform ?? 'sniffed'}`);
      assert.equal(typeof ev.type, 'string');
    }
  }
});
