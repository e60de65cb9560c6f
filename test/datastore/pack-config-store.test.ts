import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { forgetSecrets, maskSecretText } from '../../src/core/secret-values.js';
import { PackConfigStore } from '../../src/datastore/pack-config-store.js';
import { withDatastore } from './helpers.js';

const SCHEMA = `
url: {type: string, required: true, description: base URL}
api_key: {type: string, secret: true, required: true}
timeout: {type: integer, default: 30}
system: {type: string, enum: [redmine, jira], default: redmine}
jira:
  type: object
  properties:
    user: {type: string, required: true}
    token: {type: string, secret: true}
`;

function packDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-packcfg-'));
  writeFileSync(path.join(dir, 'config.schema.yaml'), SCHEMA);
  return dir;
}

const code = (c: string, match?: RegExp) => (e: unknown) => e instanceof NrxError && e.code === c && (!match || match.test(e.message));

describe('pack config: values set through the API/CLI over the file over the defaults', () => {
  test('a missing required value names the pack, the key and how to set it', async () => {
    await withDatastore(async ({ kv, dir }) => {
      const pc = new PackConfigStore(kv, dir);
      const pd = packDir();
      await assert.rejects(
        pc.resolve('tickets', pd),
        code('NRX_ERR_PACK_CONFIG_MISSING', /pack tickets: config value 'url' is required.*netreflex pack config tickets url=VALUE.*configs\/tickets\.yaml/),
      );
      await pc.set('tickets', pd, 'url', 'http://redmine.example');
      // a secret: the hint reads it from stdin, never suggests the file or a command line
      await assert.rejects(pc.resolve('tickets', pd), (e: unknown) => {
        assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_PACK_CONFIG_MISSING');
        assert.match(e.message, /'api_key'.*`netreflex pack config tickets api_key` \(asks for the value or reads it from stdin; stored encrypted\)/);
        assert.doesNotMatch(e.message, /api_key:/);
        return true;
      });
    });
  });

  test('a secret is stored encrypted, shown masked, and in clear only at run time', async () => {
    await withDatastore(async ({ kv, dir }) => {
      forgetSecrets();
      const pc = new PackConfigStore(kv, dir);
      const pd = packDir();
      await pc.set('tickets', pd, 'url', 'http://redmine.example');
      const set = await pc.set('tickets', pd, 'api_key', 'k3y-0f-the-tracker');
      assert.equal(set.value, '********');
      const raw = await kv.get('pack:tickets', 'config:api_key');
      assert.equal(raw?.secret, true);
      assert.equal(raw?.value, '********');
      assert.doesNotMatch(readFileSync(path.join(dir, 'netreflex.db')).toString('latin1'), /k3y-0f-the-tracker/);
      const shown = await pc.show('tickets', pd);
      assert.deepEqual(
        shown.options.map((o) => [o.key, o.value, o.source]),
        [
          ['api_key', '********', 'datastore'],
          ['jira.token', null, null],
          ['jira.user', null, null],
          ['system', 'redmine', 'default'],
          ['timeout', 30, 'default'],
          ['url', 'http://redmine.example', 'datastore'],
        ],
      );
      assert.deepEqual(shown.missing, []);
      assert.equal(maskSecretText('key=k3y-0f-the-tracker'), 'key=k3y-0f-the-tracker', 'not yet handed out');
      const run = await pc.resolve('tickets', pd);
      assert.deepEqual(run.values, { url: 'http://redmine.example', api_key: 'k3y-0f-the-tracker', timeout: 30, system: 'redmine' });
      // handed to an action: whatever prints or returns it is masked
      assert.equal(maskSecretText('key=k3y-0f-the-tracker'), 'key=********');
    });
  });

  test('the datastore value wins over the file, the file over the default; unset falls back', async () => {
    await withDatastore(async ({ kv, dir }) => {
      const pc = new PackConfigStore(kv, dir);
      const pd = packDir();
      mkdirSync(path.join(dir, 'configs'), { recursive: true });
      writeFileSync(path.join(dir, 'configs', 'tickets.yaml'), 'url: http://from-file\napi_key: plain-in-file\ntimeout: 5\n');
      assert.equal((await pc.resolve('tickets', pd)).values.timeout, 5);
      await pc.set('tickets', pd, 'timeout', 9);
      assert.equal((await pc.resolve('tickets', pd)).values.timeout, 9);
      const shown = await pc.show('tickets', pd);
      assert.deepEqual(
        shown.options.filter((o) => ['api_key', 'timeout', 'url'].includes(o.key)).map((o) => [o.key, o.value, o.source]),
        [
          ['api_key', '********', 'file'],
          ['timeout', 9, 'datastore'],
          ['url', 'http://from-file', 'file'],
        ],
      );
      assert.equal(await pc.unset('tickets', 'timeout'), true);
      assert.equal(await pc.unset('tickets', 'timeout'), false);
      assert.equal((await pc.resolve('tickets', pd)).values.timeout, 5);
    });
  });

  test('a nested group is required only once it is used; requireValues asks for what an action needs', async () => {
    await withDatastore(async ({ kv, dir }) => {
      const pc = new PackConfigStore(kv, dir);
      const pd = packDir();
      await pc.set('tickets', pd, 'url', 'http://x');
      await pc.set('tickets', pd, 'api_key', 'abcd1234');
      const { values } = await pc.resolve('tickets', pd);
      assert.throws(() => pc.requireValues('tickets', pd, values, ['url', 'jira.token']), code('NRX_ERR_PACK_CONFIG_MISSING', /'jira\.token'.*stdin/));
      await pc.set('tickets', pd, 'jira.token', 'tok-tok-tok');
      const after = (await pc.resolve('tickets', pd)).values;
      assert.deepEqual(after.jira, { token: 'tok-tok-tok' });
      pc.requireValues('tickets', pd, after, ['url', 'jira.token']);
    });
  });

  test('values that do not fit the schema are refused, naming the key but never the value', async () => {
    await withDatastore(async ({ kv, dir }) => {
      const pc = new PackConfigStore(kv, dir);
      const pd = packDir();
      await assert.rejects(pc.set('tickets', pd, 'timeout', 'soon'), code('NRX_ERR_PACK_CONFIG_INVALID', /'timeout' must be of type integer \(got string\)/));
      await assert.rejects(pc.set('tickets', pd, 'system', 'bugzilla'), code('NRX_ERR_PACK_CONFIG_INVALID', /'system' must be one of "redmine", "jira"$/));
      await assert.rejects(pc.set('tickets', pd, 'api_key', 42), (e: unknown) => e instanceof NrxError && !e.message.includes('42'));
      await assert.rejects(
        pc.set('tickets', pd, 'uri', 'http://x'),
        code('NRX_ERR_PACK_CONFIG_INVALID', /'uri' is not an option of the pack \(config\.schema\.yaml declares url, api_key/),
      );
      // a pack without a schema takes any option, but none that reaches a prototype
      const bare = mkdtempSync(path.join(tmpdir(), 'nrx-packcfg-bare-'));
      await pc.set('bare', bare, 'anything.goes', 'yes');
      assert.deepEqual((await pc.resolve('bare', bare)).values, { anything: { goes: 'yes' } });
      for (const key of ['__proto__', 'a.__proto__', 'constructor.prototype'])
        await assert.rejects(pc.set('bare', bare, key, 'x'), code('NRX_ERR_PACK_CONFIG_INVALID', /is not an option name/));
      await kv.set('pack:bare', 'config:__proto__', '{"polluted": true}');
      await assert.rejects(pc.resolve('bare', bare), code('NRX_ERR_PACK_CONFIG_INVALID'));
      mkdirSync(path.join(dir, 'configs'), { recursive: true });
      writeFileSync(path.join(dir, 'configs', 'tickets.yaml'), 'url: http://x\napi_key: abcd\ntimeout: later\n');
      await assert.rejects(pc.resolve('tickets', pd), code('NRX_ERR_PACK_CONFIG_INVALID', /'timeout' must be of type integer/));
    });
  });
});
