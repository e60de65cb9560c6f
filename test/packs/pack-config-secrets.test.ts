import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { PackConfigStore } from '../../src/datastore/pack-config-store.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-packcfg-secret-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a pack config secret an action prints, returns or fails with is '********' in the execution", async () => {
  const pack = path.join(tmp, 'packs', 'leaky');
  mkdirSync(path.join(pack, 'actions'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: leaky\nname: leaky\nversion: 0.1.0\ndescription: prints its secret\n');
  writeFileSync(path.join(pack, 'config.schema.yaml'), 'token: {type: string, secret: true, required: true}\nuser: {type: string, default: noc}\n');
  writeFileSync(
    path.join(pack, 'actions', 'leak.yaml'),
    'name: leak\nrunner_type: module\nentry_point: leak.mjs\nparameters:\n  fail: {type: boolean, default: false}\n',
  );
  writeFileSync(
    path.join(pack, 'actions', 'leak.mjs'),
    'export function run(p, ctx) {\n  ctx.log(`token is ${ctx.config.token}`);\n  if (p.fail) throw new Error(`refused ${ctx.config.token}`);\n  return { token: ctx.config.token, user: ctx.config.user };\n}\n',
  );
  const dataDir = path.join(tmp, 'data');
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [path.join(tmp, 'packs')] }, {}), log: silentLogger });
  await a.start();
  try {
    const missing = await a.engine.run('leaky.leak', {});
    assert.equal(missing.error?.code, 'NRX_ERR_PACK_CONFIG_MISSING');
    await new PackConfigStore(a.kv, dataDir).set('leaky', pack, 'token', 'tok-7f3a9c');
    const ok = await a.engine.run('leaky.leak', {});
    assert.deepEqual(ok.result, { token: '********', user: 'noc' });
    assert.ok(
      ok.log.some((l) => l.includes('token is ********')),
      ok.log.join('\n'),
    );
    const failed = await a.engine.run('leaky.leak', { fail: true });
    assert.equal(failed.error?.message, 'refused ********');
    for (const rec of [ok, failed]) assert.doesNotMatch(JSON.stringify(await a.store.getExecution(rec.id)), /tok-7f3a9c/);
  } finally {
    await a.stop();
  }
});
