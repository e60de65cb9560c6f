import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { SecretCipher } from '../../../src/datastore/cipher.js';
import { KeyValueStore, MASKED } from '../../../src/datastore/keyvalue.js';
import type { ActionSpec } from '../../../src/executions/action.js';
import { DEFAULT_PYTHON, PythonEnvironments } from '../../../src/executions/runners/python-env.js';
import { PythonScriptRunner } from '../../../src/executions/runners/python-script.js';
import { PackWorkspace } from '../../../src/executions/runners/pack-workspace.js';
import { resolveRunAs } from '../../../src/executions/runners/run-as.js';
import { loadPacks } from '../../../src/packs/pack-loader.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite-store.js';
import { ensurePackages } from '../../lab/packages.js';
import { testContext } from './helpers.js';

const FIXTURES = path.resolve('test/executions/fixtures/python-packs');
/** Debian's Python, venv and pip, and the two modules the StackStorm and Exchange fixtures import. */
const PYTHON_PACKAGES = ['python3', 'python3-venv', 'python3-pip', 'python3-yaml', 'python3-six'];
// As root (CI) what is missing is installed; elsewhere the tests need them present.
if (process.getuid?.() === 0) await ensurePackages(PYTHON_PACKAGES);
const skip = existsSync(DEFAULT_PYTHON) ? false : `PYTHON SKIPPED: ${DEFAULT_PYTHON} is missing (Debian: apt-get install ${PYTHON_PACKAGES.join(' ')})`;
if (skip) process.stderr.write(`\n*** ${skip} ***\n`);

interface PyResult {
  result: unknown;
  stdout: string;
  stderr: string;
  exit_code: number;
  error?: string;
}

/** A wheel built by hand (a zip with the dist-info files pip needs), so pip installs from a local folder. */
function buildWheel(dir: string, name: string, body: string): void {
  const script = `
import base64, hashlib, sys, zipfile
name, version, body, out = sys.argv[1], '1.0', sys.argv[2], sys.argv[3]
files = {name + '/__init__.py': body.encode(),
         name + '-1.0.dist-info/METADATA': ('Metadata-Version: 2.1\\nName: %s\\nVersion: 1.0\\n' % name).encode(),
         name + '-1.0.dist-info/WHEEL': b'Wheel-Version: 1.0\\nGenerator: netreflex-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'}
record = ['%s,sha256=%s,%d' % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode(), len(d)) for p, d in files.items()]
record.append(name + '-1.0.dist-info/RECORD,,')
with zipfile.ZipFile('%s/%s-1.0-py3-none-any.whl' % (out, name), 'w') as z:
    for p, d in files.items():
        z.writestr(p, d)
    z.writestr(name + '-1.0.dist-info/RECORD', '\\n'.join(record) + '\\n')
`;
  const r = spawnSync(DEFAULT_PYTHON, ['-c', script, name, body, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

describe('python-script runner', { skip }, () => {
  let dir: string;
  let store: SqliteStore;
  let kv: KeyValueStore;
  let runner: PythonScriptRunner;
  let actions: Map<string, ActionSpec>;
  let data: string;
  const wheels = () => path.join(dir, 'wheels');

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nrx-python-'));
    data = path.join(dir, 'data');
    store = openSqliteStore(data);
    kv = new KeyValueStore(store, SecretCipher.loadOrCreate(data));
    mkdirSync(wheels());
    buildWheel(wheels(), 'nrxdemo', 'VALUE = 42\n');
    // A pack of our own that needs a package the local "index" (a wheel folder) has, and one that needs a package nobody has.
    cpSync(FIXTURES, path.join(dir, 'packs'), { recursive: true });
    for (const [pack, requirement, module] of [
      ['needs_wheel', 'nrxdemo', 'nrxdemo'],
      ['needs_absent', 'nrxabsent>=1.0', 'nrxabsent'],
    ] as const) {
      const p = path.join(dir, 'packs', pack);
      mkdirSync(path.join(p, 'actions'), { recursive: true });
      writeFileSync(path.join(p, 'pack.yaml'), `ref: ${pack}\nname: ${pack}\n`);
      writeFileSync(path.join(p, 'requirements.txt'), `# what the action imports\n${requirement}\n`);
      writeFileSync(path.join(p, 'actions', 'use.yaml'), 'name: use\nrunner_type: python-script\nentry_point: use.py\n');
      writeFileSync(
        path.join(p, 'actions', 'use.py'),
        `import ${module}\nfrom st2common.runners.base_action import Action\n\n\nclass Use(Action):\n    def run(self):\n        return ${module}.VALUE\n`,
      );
    }
    const loaded = loadPacks([path.join(dir, 'packs')]);
    assert.deepEqual(loaded.errors, []);
    actions = loaded.actions;
    // As the appliance does: as root, actions run as nobody from a readable copy of the pack.
    const workspace = new PackWorkspace(resolveRunAs());
    const envs = new PythonEnvironments({
      venvRoot: workspace.venvRoot() ?? path.join(data, 'virtualenvs'),
      // No package index but the wheel folder: the same on every machine.
      pipEnv: { PIP_CONFIG_FILE: '/dev/null', PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels() },
    });
    runner = new PythonScriptRunner({ envs, kv, dataDir: data, killGraceMs: 300, workspace });
    mkdirSync(path.join(data, 'configs'));
    writeFileSync(path.join(data, 'configs', 'pyacts.yaml'), 'site: lab\napi:\n  token: "{{ st2kv.system.api_token | decrypt_kv }}"\n');
  });
  after(async () => {
    await store?.close();
  });

  const action = (ref: string): ActionSpec => {
    const a = actions.get(ref);
    assert.ok(a, `fixture action ${ref} is loaded`);
    return a;
  };
  const run = async (ref: string, params: Record<string, unknown> = {}, signal?: AbortSignal) => {
    const a = action(ref);
    const ctx = testContext(a, signal);
    const r = await runner.run(a, params, ctx);
    return { ...r, out: r.result as PyResult, lines: ctx.lines };
  };

  test('run(**parameters) with the pack config, a helper module from actions/lib, stdout and the logger captured', async () => {
    await kv.set('system', 'api_token', 'tok-123', { encrypt: true });
    const r = await run('pyacts.greet', { name: 'bob' });
    assert.equal(r.status, 'succeeded', r.out?.stderr);
    assert.deepEqual(Object.keys(r.out).sort(), ['exit_code', 'result', 'stderr', 'stdout']);
    // site from configs/pyacts.yaml, api.timeout from the schema default, token rendered from the datastore
    assert.deepEqual(r.out.result, { text: 'hello bob from lab', api_timeout: 5, token: 'tok-123' });
    assert.equal(r.out.stdout, 'about to greet bob\n');
    assert.match(r.out.stderr, /INFO actions\.python\.Greet \[-\] greeting bob/);
    assert.equal(r.out.exit_code, 0);
    assert.ok(r.lines.includes('about to greet bob'));
  });

  test('self.action_service: local keys under <pack>.<Class>:<name>, global keys, encryption, list and delete', async () => {
    await kv.set('system', 'shared.domain', 'example.net');
    const first = await run('pyacts.counter');
    assert.equal(first.status, 'succeeded', first.out.stderr);
    const second = await run('pyacts.counter');
    const res = second.out.result as Record<string, unknown>;
    assert.equal(res.count, 2);
    assert.equal(res.shared, 'example.net');
    assert.equal(res.secret_masked, MASKED);
    assert.equal(res.secret_clear, 's3cret-2');
    assert.deepEqual(res.keys, ['pyacts.Counter:count', 'pyacts.Counter:last_secret']);
    assert.equal((await kv.get('system', 'pyacts.Counter:count'))?.value, '2');
    assert.equal((await kv.get('system', 'pyacts.Counter:last_secret'))?.secret, true);
    assert.ok(second.lines.includes('datastore: set system/pyacts.Counter:count'));
    const reset = await run('pyacts.counter', { reset: true });
    assert.deepEqual(reset.out.result, { deleted: true });
    assert.equal(await kv.get('system', 'pyacts.Counter:count'), null);
  });

  test('(False, result) fails the execution and keeps the result; (True, result) succeeds', async () => {
    const bad = await run('pyacts.check_port', { port: 70000 });
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error, undefined);
    assert.deepEqual(bad.out.result, { port: 70000, reason: 'not a TCP port' });
    assert.equal(bad.out.exit_code, 0);
    const good = await run('pyacts.check_port', { port: 22 });
    assert.equal(good.status, 'succeeded');
    assert.deepEqual(good.out.result, { port: 22 });
  });

  test('an exception fails the execution with the traceback in stderr and exit code 1', async () => {
    const r = await run('pyacts.explode', { what: 'xyz' });
    assert.equal(r.status, 'failed');
    assert.equal(r.out.exit_code, 1);
    assert.equal(r.out.result, null);
    assert.equal(r.out.stdout, 'before the fault\n');
    assert.match(r.out.stderr, /Traceback \(most recent call last\)[\s\S]*explode\.py[\s\S]*ValueError: cannot parse xyz/);
  });

  test('a module that is not installed: a clear error naming it and what to do', async () => {
    const r = await run('pyacts.needs_missing');
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_CONFIG');
    assert.match(
      r.error!.message,
      /action pyacts\.needs_missing needs Python module 'netreflex_absent_module_for_tests', which \/usr\/bin\/python3 does not have\. The pack has no requirements\.txt/,
    );
    assert.match(r.out.stderr, /ModuleNotFoundError: No module named 'netreflex_absent_module_for_tests'/);
  });

  test('a 2-tuple whose first item is not a bool is refused, as StackStorm does (exit 220)', async () => {
    const r = await run('pyacts.bad_status');
    assert.equal(r.status, 'failed');
    assert.equal(r.out.exit_code, 220);
    assert.equal(r.error?.code, 'NRX_ERR_RUNNER_FAILED');
    assert.match(r.error!.message, /first item is 'yes'; it must be True or False/);
  });

  test('the timeout kills the process: status timeout, exit code -9, output so far kept', async () => {
    const started = Date.now();
    const r = await run('pyacts.sleepy', { seconds: 30, timeout: 1 });
    assert.equal(r.status, 'timeout');
    assert.equal(r.error?.code, 'NRX_ERR_TIMEOUT');
    assert.equal(r.out.exit_code, -9);
    assert.equal(r.out.error, 'Action failed to complete in 1 seconds');
    assert.equal(r.out.stdout, 'sleeping\n');
    assert.ok(Date.now() - started < 5000);
  });

  test('cancel through the signal stops the process', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    const r = await run('pyacts.sleepy', { seconds: 30 }, ac.signal);
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_CANCELED');
    assert.ok(Date.now() - started < 4000);
    const early = await run('pyacts.sleepy', { seconds: 1 }, AbortSignal.abort(new NrxError('NRX_ERR_TIMEOUT', 'late')));
    assert.equal(early.status, 'timeout');
  });

  test(
    'as root, the action runs as the unprivileged runner user and cannot read the data directory',
    { skip: process.getuid?.() !== 0 ? 'needs root' : false },
    async () => {
      const r = await run('pyacts.whoami', { path: path.join(data, 'secrets.key') });
      assert.equal(r.status, 'succeeded', r.out.stderr);
      const who = r.out.result as { uid: number; home: string; readable: unknown };
      assert.notEqual(who.uid, 0);
      assert.equal(who.readable, 'PermissionError');
      assert.match(who.home, /netreflex-runner-/);
      assert.ok(existsSync(path.join(data, 'secrets.key')), 'the key the action could not read exists');
    },
  );

  test('one process per execution: module state never leaks from one run to the next', async () => {
    const [a, b] = await Promise.all([run('pyacts.isolation'), run('pyacts.isolation')]);
    const ra = a.out.result as { runs_in_this_process: number; pid: number };
    const rb = b.out.result as { runs_in_this_process: number; pid: number };
    assert.equal(ra.runs_in_this_process, 1);
    assert.equal(rb.runs_in_this_process, 1);
    assert.notEqual(ra.pid, rb.pid);
  });

  test('the pre-2.0 import path and a config-only constructor still work', async () => {
    const r = await run('pyacts.legacy', { value: 'x' });
    assert.equal(r.status, 'succeeded', r.out.stderr);
    assert.deepEqual(r.out.result, ['x', 'x']);
  });

  test("StackStorm's own examples: object, JSON and YAML parsing, interleaved stdout and stderr", async () => {
    assert.deepEqual((await run('examples.object_return')).out.result, { a: 'b', c: { d: 'e', f: 1, g: true } });
    assert.deepEqual((await run('examples.json_string_to_object', { json_str: '{"vlan": 10, "ports": [1, 2]}' })).out.result, { vlan: 10, ports: [1, 2] });
    assert.deepEqual((await run('examples.yaml_string_to_object', { yaml_str: 'vlan: 10\nports: [1, 2]\n' })).out.result, { vlan: 10, ports: [1, 2] });
    const p = await run('examples.print_to_stdout_and_stderr', { count: 4, sleep_delay: 0.01 });
    assert.equal(p.status, 'succeeded');
    assert.equal(p.out.stdout, 'stdout -> Line: 2\nstdout -> Line: 4\n');
    assert.equal(p.out.stderr, 'stderr -> Line: 1\nstderr -> Line: 3\n');
    assert.equal(p.out.result, null);
  });

  test('StackStorm Exchange actions: csv.parse (six from Debian), networking_utils with its requirements unreachable', async () => {
    const csv = await run('csv.parse', { data: 'leaf1,10.0.0.1\nleaf2,"10.0.0.2"\n', delimiter: ',', quote_char: '"' });
    assert.equal(csv.status, 'succeeded', csv.out.stderr);
    assert.deepEqual(csv.out.result, [
      ['leaf1', '10.0.0.1'],
      ['leaf2', '10.0.0.2'],
    ]);

    // geoip2 cannot be installed here, but ip_calc needs only the standard library: it runs in the venv anyway.
    const calc = await run('networking_utils.ip_calc', { subnet: '10.1.2.0/29' });
    assert.equal(calc.status, 'succeeded', calc.out.stderr);
    assert.deepEqual(calc.out.result, { netmask: '255.255.255.248', broadcast: '10.1.2.7', prefixlen: 29, hostmin: '10.1.2.1', hostmax: '10.1.2.6' });
    assert.ok(
      calc.lines.some((l) => /pip could not install .*networking_utils\/requirements\.txt/.test(l)),
      calc.lines.join('\n'),
    );
    const invalid = await run('networking_utils.ip_calc', { subnet: 'not-a-subnet' });
    assert.equal(invalid.status, 'failed');
    assert.equal(invalid.out.result, 'Error: Not a valid Subnet');
    const host = await run('networking_utils.is_valid_hostname', { hostname: 'leaf1.example.net.' });
    assert.deepEqual(host.out.result, { hostname: 'leaf1.example.net.', final_dot: true, valid: true });
  });

  test('a pack virtualenv from requirements.txt when the index has the package; built once', async () => {
    const first = await run('needs_wheel.use');
    assert.equal(first.status, 'succeeded', `${first.out.stderr}\n${first.lines.join('\n')}`);
    assert.equal(first.out.result, 42);
    assert.ok(first.lines.some((l) => /virtualenv .*needs_wheel ready/.test(l)));
    const second = await run('needs_wheel.use');
    assert.equal(second.out.result, 42);
    assert.ok(!second.lines.some((l) => l.startsWith('python: building')), 'the venv is reused');
  });

  test('a requirement no index has: the missing-module error says pip could not install it', async () => {
    const r = await run('needs_absent.use');
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_CONFIG');
    assert.match(
      r.error!.message,
      /needs Python module 'nrxabsent', which the pack's virtualenv .*needs_absent does not have\. pip could not install .*requirements\.txt \(is a package index reachable\?\): .*nrxabsent/,
    );
  });

  test('latency: start to finish of a trivial action (median of 15)', async (t) => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const r = await run('examples.object_return');
      times.push(performance.now() - started);
      assert.equal(r.status, 'succeeded');
    }
    times.sort((a, b) => a - b);
    const median = times[7]!;
    t.diagnostic(`python-script start-to-finish median ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[14]!.toFixed(1)})`);
    assert.ok(median < 1500, `median ${median} ms`);
  });
});
