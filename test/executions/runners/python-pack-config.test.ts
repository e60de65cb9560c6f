import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { SecretCipher } from '../../../src/datastore/cipher.js';
import { KeyValueStore } from '../../../src/datastore/keyvalue.js';
import { PackConfigStore } from '../../../src/datastore/pack-config-store.js';
import { DEFAULT_PYTHON, PythonEnvironments } from '../../../src/executions/runners/python-env.js';
import { PythonScriptRunner } from '../../../src/executions/runners/python-script.js';
import { PackWorkspace } from '../../../src/executions/runners/pack-workspace.js';
import { resolveRunAs } from '../../../src/executions/runners/run-as.js';
import { loadPacks } from '../../../src/packs/pack-loader.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { ensurePackages } from '../../lab/packages.js';
import { testContext } from './helpers.js';

const FIXTURES = path.resolve('test/executions/fixtures/python-packs');
// the same Debian packages python-script.test.ts installs (as root, CI) or needs present
const PYTHON_PACKAGES = ['python3', 'python3-venv', 'python3-pip', 'python3-yaml', 'python3-six'];
if (process.getuid?.() === 0) await ensurePackages(PYTHON_PACKAGES);
const skip = existsSync(DEFAULT_PYTHON) ? false : `PYTHON SKIPPED: ${DEFAULT_PYTHON} is missing`;
const dir = mkdtempSync(path.join(tmpdir(), 'nrx-python-packcfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("self.config of a python-script action has the values set through the API/CLI, a secret decrypted, over the schema's defaults", { skip }, async () => {
  const data = path.join(dir, 'data');
  const store = openSqliteStore(data);
  try {
    const kv = new KeyValueStore(store, SecretCipher.loadOrCreate(data));
    const configs = new PackConfigStore(kv, data);
    const workspace = new PackWorkspace(resolveRunAs());
    const envs = new PythonEnvironments({ venvRoot: workspace.venvRoot() ?? path.join(data, 'virtualenvs') });
    const runner = new PythonScriptRunner({ envs, kv, dataDir: data, packConfig: configs, workspace });
    const greet = loadPacks([FIXTURES]).actions.get('pyacts.greet')!;
    const pack = path.join(FIXTURES, 'pyacts');
    await configs.set('pyacts', pack, 'site', 'dc2');
    await configs.set('pyacts', pack, 'api.token', 'py-token-9');
    const r = await runner.run(greet, { name: 'ann' }, testContext(greet));
    const out = r.result as { result: unknown; stderr: string };
    assert.equal(r.status, 'succeeded', out?.stderr);
    assert.deepEqual(out.result, { text: 'hello ann from dc2', api_timeout: 5, token: 'py-token-9' });
  } finally {
    await store.close();
  }
});
