import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { dropsForPort, udpSocketDrops } from '../../../src/sensors/common/udp-drops.js';

const TABLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 2317: 0100007F:E0C2 00000000:0000 07 00000000:00001D40 00:00000000 00000000     0        0 1769252 2 00000000dfd26989 1991
11025: 00000000:158A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1769253 2 00000000dd43e6d5 0
`;

test('the drops column of the socket bound to a port; null when no socket has it', () => {
  assert.equal(dropsForPort(TABLE, 0xe0c2), 1991);
  assert.equal(dropsForPort(TABLE, 5514), 0);
  assert.equal(dropsForPort(TABLE, 5515), null);
  assert.equal(dropsForPort('garbage', 5514), null);
});

test(
  'a real socket, full: the kernel drops what overflows its buffer, and the count says so',
  { skip: existsSync('/proc/net/udp') ? false : 'no /proc/net/udp (not Linux)' },
  async () => {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4096 });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    try {
      assert.equal(udpSocketDrops(port, 'udp4'), 0);
      // spawnSync holds this event loop: nothing reads the socket while another process floods it
      const r = spawnSync('python3', [
        '-c',
        `import socket\nt = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(500): t.sendto(b'x' * 200, ('127.0.0.1', ${port}))`,
      ]);
      assert.equal(r.status, 0, String(r.stderr));
      const drops = udpSocketDrops(port, 'udp4')!;
      assert.ok(drops > 400, `expected most of 500 datagrams dropped, read ${drops}`);
    } finally {
      socket.close();
    }
    assert.equal(udpSocketDrops(port, 'udp4'), null, 'the socket is gone');
  },
);
