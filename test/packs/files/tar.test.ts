import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tarGz } from '../../../packs/files/actions/lib/tar.js';

test('the bundle archive unpacks with the system tar: long paths, empty and multi-block files, times kept', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-tar-'));
  try {
    const long = `20261202T051500Z-${'bgp-leaf1-10.0.1.1-'.repeat(4)}/leaf1/01-${'show-ip-bgp-neighbors-10.0.1.1-advertised-routes'}.txt`;
    assert.ok(Buffer.byteLength(long) > 100, 'longer than the ustar name field');
    const big = Buffer.from('x'.repeat(1500) + '\n');
    const mtime = new Date('2026-12-02T05:15:00Z');
    const archive = path.join(dir, 'b.tar.gz');
    writeFileSync(
      archive,
      tarGz([
        { name: 'b/index.json', data: Buffer.from('{"entries":[]}\n'), mtime },
        { name: long, data: big, mtime },
        { name: 'b/empty.txt', data: Buffer.alloc(0), mtime },
      ]),
    );
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, ['b/index.json', long, 'b/empty.txt']);
    execFileSync('tar', ['-xzf', archive, '-C', dir]);
    assert.deepEqual(readFileSync(path.join(dir, long)), big);
    assert.equal(readFileSync(path.join(dir, 'b/empty.txt')).length, 0);
    assert.equal(statSync(path.join(dir, 'b/index.json')).mtime.toISOString(), mtime.toISOString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
