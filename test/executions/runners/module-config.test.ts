import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PackConfigStore } from '../../../src/datastore/pack-config-store.js';
import { ModuleRunner } from '../../../src/executions/runners/module.js';
import { withDatastore } from '../../datastore/helpers.js';
import { testAction, testContext } from './helpers.js';

function pack(schema: string, source: string) {
  const packDir = mkdtempSync(path.join(tmpdir(), 'nrx-module-pack-'));
  mkdirSync(path.join(packDir, 'actions'));
  writeFileSync(path.join(packDir, 'config.schema.yaml'), schema);
  const entry = path.join(packDir, 'actions', 'act.mjs');
  writeFileSync(entry, source);
  return testAction('module', {}, { pack: 'tickets', ref: 'tickets.act', entryPoint: entry, file: path.join(packDir, 'actions', 'act.yaml') });
}

describe('module runner: the pack config', () => {
  test('ctx.config merges the datastore over the file over the defaults, secrets in clear', async () => {
    await withDatastore(async ({ kv, dir }) => {
      const a = pack(
        'url: {type: string, default: http://default}\ntoken: {type: string, secret: true}\nproject: {type: string}\n',
        'export const run = (p, ctx) => ctx.config;\n',
      );
      mkdirSync(path.join(dir, 'configs'));
      writeFileSync(path.join(dir, 'configs', 'tickets.yaml'), 'project: netauto\n');
      const store = new PackConfigStore(kv, dir);
      await store.set('tickets', path.dirname(path.dirname(a.file)), 'token', 'sekrit-token');
      const runner = new ModuleRunner({ dataDir: dir, kv, packConfig: store });
      assert.deepEqual(await runner.run(a, {}, testContext(a)), {
        status: 'succeeded',
        result: { url: 'http://default', project: 'netauto', token: 'sekrit-token' },
      });
    });
  });

  test("a required value the schema or the action asks for fails the run with the pack's own error", async () => {
    await withDatastore(async ({ kv, dir }) => {
      const runner = new ModuleRunner({ dataDir: dir, kv, packConfig: new PackConfigStore(kv, dir) });
      const a = pack('url: {type: string, required: true}\n', 'export const run = () => 1;\n');
      const r = await runner.run(a, {}, testContext(a));
      assert.equal(r.status, 'failed');
      assert.equal(r.error?.code, 'NRX_ERR_PACK_CONFIG_MISSING');
      assert.match(
        r.error!.message,
        /^action tickets\.act: pack tickets: config value 'url' is required but not set; set it with `netreflex pack config tickets url=VALUE`/,
      );

      const b = pack('key: {type: string, secret: true}\n', 'export const run = (p, ctx) => { ctx.requireConfig("key"); return 1; };\n');
      const rb = await runner.run(b, {}, testContext(b));
      assert.equal(rb.error?.code, 'NRX_ERR_PACK_CONFIG_MISSING');
      assert.match(rb.error!.message, /'key' is required/);
    });
  });

  test('an Error with a catalogued code keeps it; any other code is a runner failure', async () => {
    const runner = new ModuleRunner();
    const a = pack('', 'export const run = (p) => { throw Object.assign(new Error("redmine said 422"), { code: p.code }); };\n');
    assert.equal((await runner.run(a, { code: 'NRX_ERR_TICKET' }, testContext(a))).error?.code, 'NRX_ERR_TICKET');
    assert.equal((await runner.run(a, { code: 'ENOTFOUND' }, testContext(a))).error?.code, 'NRX_ERR_RUNNER_FAILED');
  });
});
