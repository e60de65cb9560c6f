/**
 * Security issue #8, items 5-7: shell injection through nested quoting, secrets in output,
 * operators reading every secret. Each test performs the attack for real (real /bin/sh,
 * files that must not appear, the SQLite file's bytes) and asserts the safe outcome.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { assertCommandAllowed } from '../../src/api/shell-access.js';
import { ApiStream } from '../../src/api/stream.js';
import { Appliance, loadContent } from '../../src/appliance.js';
import { AuthService } from '../../src/auth/auth-service.js';
import type { Grants, Role } from '../../src/auth/roles.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { CredentialStore } from '../../src/datastore/credentials.js';
import { KEY_FILE } from '../../src/datastore/key-file.js';
import { lookupUser, resolveRunAs } from '../../src/executions/runners/run-as.js';
import { parseWorkflowFile } from '../../src/workflows/spec-file.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import type { ExecutionRecord } from '../../src/store/records.js';
import { DATABASE_FILE, type SqliteStore } from '../../src/store/sqlite-store.js';
import { FIXTURE_PACKS, parseSse } from '../api/harness.js';

const scratch: string[] = [];
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string, mode = 0o700): string {
  const d = mkdtempSync(path.join(tmpdir(), `nrx-shell-${prefix}-`));
  chmodSync(d, mode);
  scratch.push(d);
  return d;
}

const isRoot = process.getuid?.() === 0;
const SECRET = 'Sup3r-S3cret-77e1';

/** A pack with a local-shell-cmd action whose secret parameter the command prints. */
function securityPack(): string {
  const base = tempDir('packs', 0o755);
  const dir = path.join(base, 'sec');
  mkdirSync(path.join(dir, 'actions'), { recursive: true });
  writeFileSync(path.join(dir, 'pack.yaml'), 'ref: sec\nname: sec\nversion: 0.0.1\n');
  writeFileSync(
    path.join(dir, 'actions', 'login.yaml'),
    'name: login\nrunner_type: local-shell-cmd\nparameters:\n  password: { type: string, secret: true, required: true }\n  cmd:\n    immutable: true\n    default: echo "logging in with $ST2_ACTION_PASSWORD"; echo "stderr $ST2_ACTION_PASSWORD" >&2\n',
  );
  return base;
}

interface Api {
  app: FastifyInstance;
  appliance: Appliance;
  dataDir: string;
  key(role: Role, grants?: Grants): Promise<string>;
  call(method: 'GET' | 'POST' | 'PUT', url: string, key: string, payload?: unknown): Promise<{ status: number; json: () => any; body: string }>;
  finished(match: (r: ExecutionRecord) => boolean): Promise<ExecutionRecord>;
}

let api: Api;
before(async () => {
  // the data directory is made by the appliance under a world-readable parent, as in production
  const dataDir = path.join(tempDir('data', 0o755), 'data');
  const stream = new ApiStream();
  const appliance = new Appliance({
    config: loadConfig({ dataDir, packsPaths: [securityPack(), FIXTURE_PACKS] }, {}),
    log: silentLogger,
    inboxPollMs: 30,
    onExecutionUpdate: (r) => stream.executionUpdated(r),
  });
  await appliance.start();
  const store = appliance.store as SqliteStore;
  const auth = new AuthService(store);
  const app = await buildApp({
    appliance,
    inventory: new InventoryService(store),
    kv: appliance.kv,
    credentials: new CredentialStore(appliance.kv),
    auth,
    stream,
  });
  let n = 0;
  api = {
    app,
    appliance,
    dataDir,
    async key(role, grants = {}) {
      const name = `${role}${++n}`;
      await auth.createUser({ name, password: `${name}-password`, role, grants });
      return (await auth.createApiKey({ user: name, role, grants })).key;
    },
    async call(method, url, key, payload) {
      const r = await app.inject({ method, url, headers: { 'x-api-key': key }, ...(payload !== undefined ? { payload: payload as object } : {}) });
      return { status: r.statusCode, json: () => r.json(), body: r.body };
    },
    async finished(match) {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const rec = (await appliance.store.listExecutions({ limit: 50 })).find(match);
        if (rec) return appliance.engine.wait(rec.id);
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no matching execution');
    },
  };
});
after(async () => {
  await api.app.close();
  await api.appliance.stop();
});

/** An API rule (made by an admin) on core.event {kind} that runs core.local with `cmd`. */
async function ruleRunning(kind: string, cmd: string): Promise<void> {
  const admin = await api.key('admin');
  const rule = {
    name: `shell_${kind}`,
    pack: 'sec',
    enabled: true,
    trigger: { type: 'core.event' },
    criteria: { 'trigger.kind': { type: 'equals', pattern: kind } },
    action: { ref: 'core.local', parameters: { cmd } },
  };
  const r = await api.call('POST', '/api/v1/rules', admin, { rule });
  assert.equal(r.status, 201, r.body);
}

async function emit(payload: Record<string, unknown>): Promise<void> {
  const r = await api.call('POST', '/api/v1/events', await api.key('operator'), { type: 'core.event', payload });
  assert.equal(r.status, 202, r.body);
}

describe('item 5: shell injection through nested quoting', () => {
  test('event data inside backticks in core.local cmd does not execute', async () => {
    // the runner user must be able to write here, or a refused write could pass for safety
    const dir = tempDir('bt', 0o777);
    const payload = `\`touch ${dir}/f\` $(touch ${dir}/g) "q" 's' \\ \${IFS}`;
    await ruleRunning('backticks', `echo BT1 \`echo "{{ trigger.x }}"\` > ${dir}/out; echo "BT2 \`echo "{{ trigger.x }}"\`" >> ${dir}/out`);
    await emit({ kind: 'backticks', x: payload });
    const rec = await api.finished((r) => r.context.ruleRef === 'sec.shell_backticks');
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.result));
    assert.equal(existsSync(`${dir}/f`), false, 'backticks in the event data ran');
    assert.equal(existsSync(`${dir}/g`), false, '$(...) in the event data ran');
    assert.equal(readFileSync(`${dir}/out`, 'utf8'), `BT1 ${payload}\nBT2 ${payload}\n`);
  });

  test('event data inside a heredoc does not execute', async () => {
    const dir = tempDir('heredoc', 0o777);
    const payload = `$(touch ${dir}/f) \`touch ${dir}/g\` \${HOME}`;
    await ruleRunning('heredoc', `cat > ${dir}/out <<EOF\nline {{ trigger.x }}\nsub \`echo "{{ trigger.x }}"\`\nEOF`);
    await emit({ kind: 'heredoc', x: payload });
    const rec = await api.finished((r) => r.context.ruleRef === 'sec.shell_heredoc');
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.result));
    assert.equal(existsSync(`${dir}/f`), false);
    assert.equal(existsSync(`${dir}/g`), false);
    assert.equal(readFileSync(`${dir}/out`, 'utf8'), `line ${payload}\nsub ${payload}\n`);
  });

  test("template inside $'...' quotes in cmd is refused at load with a hint", async () => {
    const base = tempDir('load', 0o755);
    const dir = path.join(base, 'quoted');
    mkdirSync(path.join(dir, 'rules'), { recursive: true });
    writeFileSync(path.join(dir, 'pack.yaml'), 'ref: quoted\nname: quoted\nversion: 0.0.1\n');
    writeFileSync(
      path.join(dir, 'rules', 'quoted.yaml'),
      'name: quoted\npack: quoted\ntrigger:\n  type: core.event\naction:\n  ref: core.local\n  parameters:\n    cmd: "logger $\'peer {{ trigger.peer }} down\'"\n',
    );
    const content = loadContent([base]);
    const e = content.errors.find((x) => x.location?.file?.endsWith('quoted.yaml'));
    assert.ok(e, 'the rule loaded');
    assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
    assert.equal(e.location?.line, 8);
    assert.match(e.message, /action\.parameters\.cmd/);
    assert.match(e.message, /inside \$'\.\.\.' \(ANSI-C quotes\)/);
    assert.ok(!content.rules.some((r) => r.ref === 'quoted.quoted'));
    // the same rule through the API
    const r = await api.call('POST', '/api/v1/rules', await api.key('admin'), {
      rule: {
        name: 'quoted',
        pack: 'sec',
        trigger: { type: 'core.event' },
        action: { ref: 'core.local', parameters: { cmd: "logger $'peer {{ trigger.peer }} down'" } },
      },
    });
    assert.equal(r.status, 400);
    assert.match(r.json().message, /ANSI-C quotes/);
  });

  test('workflows, action-chains and action defaults are checked at load too', () => {
    const base = tempDir('wf', 0o755);
    const dir = path.join(base, 'wf');
    mkdirSync(path.join(dir, 'actions', 'workflows'), { recursive: true });
    writeFileSync(path.join(dir, 'pack.yaml'), 'ref: wf\nname: wf\nversion: 0.0.1\n');
    writeFileSync(
      path.join(dir, 'actions', 'flow.yaml'),
      'name: flow\nrunner_type: orquesta\nentry_point: workflows/flow.yaml\nparameters:\n  peer: { type: string }\n',
    );
    writeFileSync(
      path.join(dir, 'actions', 'workflows', 'flow.yaml'),
      'version: 1.0\ninput:\n  - peer\ntasks:\n  one:\n    action: core.local\n    input:\n      cmd: "logger $\'<% ctx().peer %>\'"\n',
    );
    writeFileSync(path.join(dir, 'actions', 'chain.yaml'), 'name: chain\nrunner_type: action-chain\nentry_point: workflows/chain.yaml\n');
    writeFileSync(
      path.join(dir, 'actions', 'workflows', 'chain.yaml'),
      'chain:\n  - name: one\n    ref: core.local\n    parameters:\n      cmd: "{{ peer }} --version"\n',
    );
    writeFileSync(
      path.join(dir, 'actions', 'ping.yaml'),
      'name: ping\nrunner_type: local-shell-cmd\nparameters:\n  host: { type: string }\n  cmd: { default: "bash -c \'ping -c1 {{ host }}\'" }\n',
    );
    const errors = loadContent([base]).errors;
    assert.match(errors.find((e) => e.location?.file?.endsWith('ping.yaml'))?.message ?? '(loaded)', /parameters\.cmd\.default.*'bash'/);
    // workflow files are read when their action first runs (src/workflows/spec-file.ts)
    const parseError = (kind: 'orquesta' | 'action-chain', file: string): string => {
      try {
        parseWorkflowFile(kind, path.join(dir, 'actions', 'workflows', file));
        return '(loaded)';
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.match(parseError('orquesta', 'flow.yaml'), /line 8, field 'tasks\.one\.input\.cmd'.*ANSI-C quotes/);
    assert.match(parseError('action-chain', 'chain.yaml'), /field 'chain\[0\]\.parameters\.cmd'.*choose the command/);
  });

  test('a template given to sh -c is refused: the value would be parsed as code', () => {
    const base = tempDir('shc', 0o755);
    const dir = path.join(base, 'shc');
    mkdirSync(path.join(dir, 'rules'), { recursive: true });
    writeFileSync(path.join(dir, 'pack.yaml'), 'ref: shc\nname: shc\nversion: 0.0.1\n');
    writeFileSync(
      path.join(dir, 'rules', 'r.yaml'),
      'name: r\npack: shc\ntrigger:\n  type: core.event\naction:\n  ref: core.local\n  parameters:\n    cmd: sh -c "echo {{ trigger.x }}"\n',
    );
    const e = loadContent([base]).errors.find((x) => x.location?.file?.endsWith('r.yaml'));
    assert.match(e?.message ?? '', /'sh', which runs them as code/);
  });
});

describe('item 6: secrets in output', () => {
  test('a secret parameter printed by the command is masked in stdout, the store and the API', async () => {
    const operator = await api.key('operator');
    const started = await api.call('POST', '/api/v1/executions', operator, { action: 'sec.login', parameters: { password: SECRET } });
    assert.equal(started.status, 201, started.body);
    const id = started.json().id as string;
    const rec = await api.appliance.engine.wait(id);
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec));
    const observer = await api.key('observer');
    const shown = await api.call('GET', `/api/v1/executions/${id}`, observer);
    assert.equal(shown.status, 200);
    assert.equal(shown.json().result.stdout, 'logging in with ********');
    assert.equal(shown.json().result.stderr, 'stderr ********');
    assert.equal(shown.json().parameters.password, '********');
    assert.ok(!shown.body.includes(SECRET));
    const output = await api.call('GET', `/api/v1/executions/${id}/output`, observer);
    const lines = parseSse(output.body)
      .filter((e) => e.event === 'log')
      .map((e) => (e.data as { line: string }).line);
    assert.deepEqual(lines.sort(), ['logging in with ********', 'stderr: stderr ********']);
    assert.ok(!output.body.includes(SECRET));
    assertNotOnDisk(SECRET);
  });

  test('a decrypted datastore key printed by the command is masked, also in the stored cmd', async () => {
    await api.appliance.kv.set('system', 'snmp_community', 'c0mmunity-9f2', { encrypt: true });
    await ruleRunning('kv_secret', 'echo "community {{ st2kv.system.snmp_community | decrypt_kv }}"');
    await emit({ kind: 'kv_secret' });
    const rec = await api.finished((r) => r.context.ruleRef === 'sec.shell_kv_secret');
    assert.equal(rec.status, 'succeeded');
    const shown = await api.call('GET', `/api/v1/executions/${rec.id}`, await api.key('observer'));
    assert.equal(shown.json().result.stdout, 'community ********');
    assert.ok(!shown.body.includes('c0mmunity-9f2'), 'the value shows in the API answer');
    assert.match(String(shown.json().parameters.cmd), /NRX_V1='\*{8}'/);
    assertNotOnDisk('c0mmunity-9f2');
  });
});

/** The secret is in none of the data directory's files (database, WAL, anything else). */
function assertNotOnDisk(secret: string): void {
  const files = readdirSync(api.dataDir);
  assert.ok(files.includes(DATABASE_FILE));
  for (const f of files) {
    const p = path.join(api.dataDir, f);
    if (!f.startsWith(DATABASE_FILE)) continue;
    assert.equal(readFileSync(p).includes(Buffer.from(secret)), false, `${f} holds the secret in clear`);
  }
}

describe('item 7: operators reading every secret', () => {
  test('an operator cannot run core.local without a pack grant', async () => {
    const dir = tempDir('op', 0o777);
    const operator = await api.key('operator');
    const refused = await api.call('POST', '/api/v1/executions', operator, { action: 'core.local', parameters: { cmd: `touch ${dir}/ran` } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().code, 'NRX_ERR_FORBIDDEN');
    assert.match(refused.json().message, /"shell": \["core"\]/);
    // the environment chooses code too (LD_PRELOAD, PATH): refused on a fixed-command action
    const env = await api.call('POST', '/api/v1/executions', operator, {
      action: 'core.echo',
      parameters: { message: 'hi', env: { LD_PRELOAD: '/tmp/x.so' } },
    });
    assert.equal(env.status, 403);
    // a fixed command stays open to operators
    assert.equal((await api.call('POST', '/api/v1/executions', operator, { action: 'core.echo', parameters: { message: 'hi' } })).status, 201);
    // a grant for another pack does not open core
    const other = await api.key('operator', { shell: ['sec'] });
    assert.equal((await api.call('POST', '/api/v1/executions', other, { action: 'core.local', parameters: { cmd: `touch ${dir}/ran` } })).status, 403);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(`${dir}/ran`), false);
    // the grant opens it
    const granted = await api.key('operator', { shell: ['core'] });
    const ok = await api.call('POST', '/api/v1/executions', granted, { action: 'core.local', parameters: { cmd: `touch ${dir}/ran` } });
    assert.equal(ok.status, 201, ok.body);
    assert.equal((await api.appliance.engine.wait(ok.json().id)).status, 'succeeded');
    assert.equal(existsSync(`${dir}/ran`), true);
    // an admin needs no grant; a key never gets more shell than its user
    const admin = await api.key('admin');
    assert.equal((await api.call('POST', '/api/v1/executions', admin, { action: 'core.local', parameters: { cmd: 'true' } })).status, 201);
    const minted = await api.call('POST', '/api/v1/auth/keys', other, { grants: { shell: ['core', 'sec'] } });
    assert.equal(minted.status, 201, minted.body);
    assert.deepEqual(minted.json().grants.shell, ['sec']);
  });

  test("a rule made through the API runs its command only with its author's say", () => {
    const local = api.appliance.engine.actions.get('core.local')!;
    const operator = { user: 'op', role: 'operator' as const, grants: {}, via: 'api_key' as const };
    assert.throws(() => assertCommandAllowed(operator, local, { cmd: 'id' }, 'rule sec.r'), /op \(operator\) may not choose what core\.local runs \(cmd\)/);
    assert.doesNotThrow(() => assertCommandAllowed({ ...operator, grants: { shell: ['core'] } }, local, { cmd: 'id' }, 'rule sec.r'));
  });

  test(
    'local actions run as an unprivileged user that cannot read secrets.key',
    { skip: isRoot ? false : 'needs root: only a root appliance switches users (the non-root case is the next test)' },
    async () => {
      const admin = await api.key('admin');
      const key = path.join(api.dataDir, KEY_FILE);
      const db = path.join(api.dataDir, DATABASE_FILE);
      assert.ok(existsSync(key) && existsSync(db));
      const r = await api.call('POST', '/api/v1/executions', admin, {
        action: 'core.local',
        parameters: { cmd: `id -u; id -G; cat ${key} | od -c | head -1; cat ${db} | head -c 64 | od -c | head -1; ls ${api.dataDir}; echo "home=$HOME"` },
      });
      assert.equal(r.status, 201, r.body);
      const rec = await api.appliance.engine.wait(r.json().id);
      const { stdout, stderr } = rec.result as { stdout: string; stderr: string };
      const nobody = lookupUser('nobody');
      const [uid, groups] = stdout.split('\n');
      assert.equal(uid, String(nobody.uid));
      assert.equal(groups, String(nobody.gid), "root's groups were kept");
      assert.match(stderr, new RegExp(`${KEY_FILE}: Permission denied`));
      assert.match(stderr, new RegExp(`${DATABASE_FILE}: Permission denied`));
      assert.match(stderr, /ls: cannot open directory .*: Permission denied/);
      assert.doesNotMatch(stdout, /SQLite format/);
      assert.match(stdout, /home=.*netreflex-runner-/);
    },
  );

  test('not root: commands run as the current user, said once; an unknown runner user stops the start', () => {
    assert.equal(resolveRunAs({}, 1000), null);
    assert.deepEqual(resolveRunAs({ NETREFLEX_RUNNER_USER: '4242:4343' }, 0), { user: '4242:4343', uid: 4242, gid: 4343 });
    assert.deepEqual(resolveRunAs({ NETREFLEX_RUNNER_USER: 'root' }, 0), null);
    assert.throws(() => resolveRunAs({ NETREFLEX_RUNNER_USER: 'no-such-user-nrx' }, 0), /NETREFLEX_RUNNER_USER: no user 'no-such-user-nrx'/);
  });
});
