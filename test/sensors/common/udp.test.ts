import assert from 'node:assert/strict';
import { test } from 'node:test';
import { swallowedErrorCounts } from '../../../src/core/swallowed-errors.js';
import { bindUdp } from '../../../src/sensors/common/udp.js';

test('a UDP socket error after bind is counted (udp_socket) and the socket keeps receiving', async () => {
  const got: string[] = [];
  const s = await bindUdp('127.0.0.1', 0, undefined, (msg) => got.push(msg.toString()));
  try {
    const { port } = s.address();
    const before = swallowedErrorCounts().get('udp_socket') ?? 0;
    // an address that does not resolve: without a send callback the socket emits 'error'
    s.send('lost', 9, '256.1.1.1');
    for (let i = 0; i < 500 && (swallowedErrorCounts().get('udp_socket') ?? 0) === before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(swallowedErrorCounts().get('udp_socket'), before + 1);
    s.send('still here', port, '127.0.0.1');
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, ['still here']);
  } finally {
    await new Promise<void>((r) => s.close(() => r()));
  }
});
