import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';

/** files.upload_bundle: only a bundle of this appliance's leaves it; with upload none it says so and succeeds. */
describe('files.upload_bundle', { timeout: 60_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-upload-bundle-'));
  const dataDir = path.join(tmp, 'data');
  let a: Appliance;
  before(async () => {
    a = new Appliance({ config: loadConfig({ dataDir }, {}), log: silentLogger });
    await a.start();
    mkdirSync(path.join(dataDir, 'bundles'), { recursive: true });
    writeFileSync(path.join(dataDir, 'bundles', 'b.tar.gz'), 'bundle bytes');
    writeFileSync(path.join(tmp, 'secret.txt'), 'not a bundle');
  });
  after(async () => {
    await a?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('upload none: nothing sent, a note that says how to configure one, the file stays', async () => {
    const r = await a.engine.run('files.upload_bundle', { path: path.join(dataDir, 'bundles', 'b.tar.gz') });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error));
    const out = r.result as { uploaded: boolean; method: string; location: string; size: number; note: string };
    assert.deepEqual([out.uploaded, out.method, out.location, out.size], [false, 'none', path.join(dataDir, 'bundles', 'b.tar.gz'), 12]);
    assert.match(out.note, /netreflex pack config files upload=sftp/);
  });

  test('a file outside <data-dir>/bundles is refused, by path or through ..', async () => {
    for (const p of [path.join(tmp, 'secret.txt'), path.join(dataDir, 'bundles', '..', '..', 'secret.txt'), '/etc/passwd']) {
      const r = await a.engine.run('files.upload_bundle', { path: p });
      assert.equal(r.status, 'failed', p);
      assert.equal(r.error?.code, 'NRX_ERR_PARAM_INVALID');
      assert.match(String(r.error?.message), /is not a bundle under|no bundle/);
    }
  });
});
