import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SecretCipher } from '../../../src/datastore/cipher.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

const child = (dataDir: string, prefix: string, count: number): Promise<number[]> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/packs/openstack/child-allocator.ts'), dataDir, prefix, String(count)]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`child ${prefix} exited ${code}: ${err}`))));
  });

test('three processes allocating from one data directory at once never hand out a VNI twice', async () => {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'nrx-vni-procs-')), 'data');
  // create the database and key once, so the children race on allocation, not on setup
  const store = openSqliteStore(dataDir);
  SecretCipher.loadOrCreate(dataDir);
  await store.close();
  try {
    const got = (await Promise.all([child(dataDir, 'a', 20), child(dataDir, 'b', 20), child(dataDir, 'c', 20)])).flat();
    assert.equal(got.length, 60);
    assert.equal(new Set(got).size, 60, 'every network its own VNI');
    assert.ok(got.every((v) => v >= 8000 && v <= 8059));
  } finally {
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
});
