/**
 * Security issue #8, the lower-severity findings: one test per finding, each performing the
 * attack the report describes and asserting the safe outcome.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../src/api/app.js';
import { Appliance } from '../../src/appliance.js';
import { LoginThrottle } from '../../src/auth/login-throttle.js';
import { loadConfig, REPO_ROOT } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { renderString, renderValue } from '../../src/core/template.js';
import { CredentialStore } from '../../src/datastore/credentials.js';
import { makeEvent } from '../../src/events/envelope.js';
import { loadPacks } from '../../src/packs/pack-loader.js';
import { DATABASE_FILE, openSqliteStore } from '../../src/store/sqlite-store.js';
import { harness, type Harness } from '../api/harness.js';
import { cli } from '../cli/cli-harness.js';
import { execution, triggerInstance } from '../store/make-records.js';

const scratch: string[] = [];
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `nrx-hardening-${prefix}-`));
  scratch.push(d);
  return d;
}

/** A pack folder with pack.yaml and the given files (path -> text). */
function writePack(dir: string, ref: string, files: Record<string, string> = {}): string {
  mkdirSync(path.join(dir, 'actions'), { recursive: true });
  writeFileSync(path.join(dir, 'pack.yaml'), `ref: ${ref}\nname: ${ref}\nversion: 0.0.1\n`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function mode(p: string): string {
  return (statSync(p).mode & 0o777).toString(8).padStart(4, '0');
}

async function withApi<T>(fn: (h: Harness) => Promise<T>): Promise<T> {
  let h: Harness | null = null;
  // The default install folder (<dataDir>/packs) sits before the shipped packs, as in `serve`.
  h = await harness({ reloadContent: async () => void h!.appliance.reloadContent() });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

test('installing a pack named core is refused without --force', async () => {
  // The attack: a pack that calls itself `core` and brings its own core.local.
  const src = writePack(tempDir('fake-core'), 'core', {
    'actions/local.yaml': 'name: local\nrunner_type: noop\ndescription: not the real core.local\n',
  });
  const shippedCore = path.join(REPO_ROOT, 'packs', 'core');
  await withApi(async (h) => {
    const admin = h.as('admin');
    const refused = await h.app.inject({ method: 'POST', url: '/api/v1/packs/install', headers: admin, payload: { source: src } });
    assert.deepEqual([refused.statusCode, refused.json().code], [409, 'NRX_ERR_CONFLICT'], refused.body);
    assert.match(refused.json().message, /pack 'core'.*packs\/core.*force/s, 'the refusal names the shipped pack and the way round it');
    assert.deepEqual(refused.json().details.shadows, [shippedCore]);
    assert.ok(!existsSync(path.join(h.dataDir, 'packs', 'core')), 'nothing was installed');
    assert.equal(h.appliance.content.loaded.actions.get('core.local')?.runnerType, 'local-shell-cmd', 'core.local is still the shipped one');

    // --force does it, and says what it replaced.
    const forced = await h.app.inject({ method: 'POST', url: '/api/v1/packs/install', headers: admin, payload: { source: src, force: true } });
    assert.equal(forced.statusCode, 201, forced.body);
    assert.deepEqual(forced.json().shadows, [shippedCore]);
    assert.ok(
      forced.json().warnings.some((w: string) => w.includes(`replaces the pack at ${shippedCore}`)),
      forced.body,
    );
    assert.equal(h.appliance.content.loaded.actions.get('core.local')?.runnerType, 'noop');
  });
});

test('a pack symlink that leaves the pack is refused', async () => {
  const secret = path.join(tempDir('outside'), 'shadow.yaml');
  writeFileSync(secret, 'name: leaked\nrunner_type: noop\ndescription: a file outside every pack\n');

  // 1. Installing: a link to a file outside the pack never gets copied in, force or not.
  const src = writePack(tempDir('linked'), 'linked_pack', { 'actions/ok.yaml': 'name: ok\nrunner_type: noop\n' });
  symlinkSync(secret, path.join(src, 'actions', 'leak.yaml'));
  await withApi(async (h) => {
    for (const force of [false, true]) {
      const r = await h.app.inject({ method: 'POST', url: '/api/v1/packs/install', headers: h.as('admin'), payload: { source: src, force } });
      assert.deepEqual([r.statusCode, r.json().code], [400, 'NRX_ERR_PACK_INSTALL'], r.body);
      assert.match(r.json().message, /actions\/leak\.yaml -> .*shadow\.yaml/);
      assert.ok(!existsSync(path.join(h.dataDir, 'packs', 'linked_pack')));
    }
  });

  // 2. Loading a pack already on a packs path: the linked file is an error, not content.
  const base = tempDir('base');
  const pack = writePack(path.join(base, 'linked_pack'), 'linked_pack', { 'actions/ok.yaml': 'name: ok\nrunner_type: noop\n' });
  symlinkSync(secret, path.join(pack, 'actions', 'leak.yaml'));
  symlinkSync(path.dirname(secret), path.join(pack, 'rules'));
  const loaded = loadPacks([base]);
  assert.ok(loaded.actions.has('linked_pack.ok'));
  assert.ok(!loaded.actions.has('linked_pack.leaked'), 'the file behind the link was not loaded');
  assert.equal(loaded.ruleSources.length, 0, 'a rules/ folder linked elsewhere loads nothing');
  const errors = loaded.errors.map((e) => [e.code, e.location.file, e.message] as const);
  assert.ok(
    errors.some(([code, file, msg]) => code === 'NRX_ERR_SPEC_INVALID' && file === path.join(pack, 'actions', 'leak.yaml') && msg.includes('leaves the pack')),
    JSON.stringify(errors),
  );
  assert.ok(
    errors.some(([, file]) => file === path.join(pack, 'rules', 'shadow.yaml')),
    JSON.stringify(errors),
  );
});

test('an entry_point outside the pack is refused', () => {
  const base = tempDir('entry');
  const other = writePack(path.join(base, 'other'), 'other', { 'actions/tool.sh': '#!/bin/sh\necho other\n' });
  const outsideScript = path.join(tempDir('script'), 'run.sh');
  writeFileSync(outsideScript, '#!/bin/sh\necho outside\n');
  const pack = writePack(path.join(base, 'probe'), 'probe', {
    'actions/climb.yaml': 'name: climb\nrunner_type: local-shell-script\nentry_point: ../../other/actions/tool.sh\n',
    'actions/absolute.yaml': `name: absolute\nrunner_type: local-shell-script\nentry_point: ${outsideScript}\n`,
    'actions/linked.yaml': 'name: linked\nrunner_type: local-shell-script\nentry_point: scripts/run.sh\n',
    'actions/inside.yaml': 'name: inside\nrunner_type: local-shell-script\nentry_point: scripts/own.sh\n',
    'actions/scripts/own.sh': '#!/bin/sh\necho mine\n',
  });
  symlinkSync(outsideScript, path.join(pack, 'actions', 'scripts', 'run.sh'));
  assert.ok(existsSync(path.join(other, 'actions', 'tool.sh')));

  const loaded = loadPacks([base]);
  assert.equal(loaded.actions.get('probe.inside')?.entryPoint, path.join(pack, 'actions', 'scripts', 'own.sh'));
  for (const name of ['climb', 'absolute', 'linked']) {
    assert.ok(!loaded.actions.has(`probe.${name}`), `probe.${name} must not load`);
    const e = loaded.errors.find((x) => x.location.file === path.join(pack, 'actions', `${name}.yaml`));
    assert.ok(e, `an error names actions/${name}.yaml`);
    assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
    assert.equal(e.location.field, 'entry_point');
    assert.match(e.message, /outside the pack/);
  }
});

test('JSON nested 5,000 levels is a 400', async () => {
  const deep = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  await withApi(async (h) => {
    const headers = { ...h.as('admin'), 'content-type': 'application/json' };
    const before = (await h.appliance.store.listTriggerInstances({ limit: 1000 })).length;
    const event = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers, payload: `{"type":"core.event","payload":${deep(5000)}}` });
    assert.deepEqual([event.statusCode, event.json().code], [400, 'NRX_ERR_VALIDATION'], event.body);
    assert.match(event.json().message, /deeper than 64 levels/);
    assert.match(event.json().field, /^body\.payload\.a\.a/);
    assert.equal((await h.appliance.store.listTriggerInstances({ limit: 1000 })).length, before, 'nothing was stored');

    const params = await h.app.inject({
      method: 'POST',
      url: '/api/v1/executions',
      headers,
      payload: `{"action":"core.echo","parameters":{"message":${deep(5000)}}}`,
    });
    assert.deepEqual([params.statusCode, params.json().code], [400, 'NRX_ERR_VALIDATION'], params.body);

    // A payload nested within the limit is still an ordinary event.
    const fine = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers, payload: `{"type":"core.event","payload":${deep(60)}}` });
    assert.equal(fine.statusCode, 202, fine.body);
  });
});

test('the database is 0600 in a 0700 directory', async () => {
  const parent = tempDir('db');
  // A fresh data directory, created under a umask that would give 0755 and 0644.
  const fresh = path.join(parent, 'fresh');
  const oldMask = process.umask(0o022);
  try {
    const store = openSqliteStore(fresh);
    await store.commit([
      { op: 'kvPut', value: { scope: 'system', key: 'k', value: 'v', secret: false, expiresAt: null, updatedAt: new Date().toISOString() } },
    ]);
    assert.equal(mode(fresh), '0700');
    for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]) assert.equal(mode(path.join(fresh, f)), '0600', f);
    await store.close();
  } finally {
    process.umask(oldMask);
  }

  // An existing data directory left 0755 with a 0644 database (the reported state) is tightened on open.
  const old = path.join(parent, 'old');
  openSqliteStore(old).close();
  chmodSync(old, 0o755);
  chmodSync(path.join(old, DATABASE_FILE), 0o644);
  const reopened = openSqliteStore(old);
  assert.equal(mode(old), '0700');
  assert.equal(mode(path.join(old, DATABASE_FILE)), '0600');
  for (const f of [`${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]) if (existsSync(path.join(old, f))) assert.equal(mode(path.join(old, f)), '0600', f);
  await reopened.close();

  // A shared temp directory is never chmod-ed: it is refused as a data directory.
  const shared = path.join(parent, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  assert.throws(
    () => openSqliteStore(shared),
    (e: Error & { code?: string }) => e.code === 'NRX_ERR_STORE' && /shared directory/.test(e.message),
  );
  assert.equal(statSync(shared).mode & 0o1777, 0o1777, 'left as it was');
  assert.ok(!existsSync(path.join(shared, DATABASE_FILE)));
});

test('serve exits non-zero before resuming executions when a sensor port is in use', async () => {
  const dataDir = tempDir('serve');
  // State a start would touch: an execution left in flight (recovery would abandon it) and a pending event.
  const store = openSqliteStore(dataDir);
  await store.commit([
    {
      op: 'putExecution',
      value: execution('exec-in-flight', {
        action: 'core.local',
        runner: 'local-shell-cmd',
        parameters: { cmd: 'true' },
        status: 'running',
        result: null,
        endedAt: null,
        context: {},
      }),
    },
    { op: 'putTriggerInstance', value: triggerInstance('event-pending', { type: 'core.event', payload: { n: 1 }, status: 'pending' }) },
  ]);
  await store.close();

  const busy = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => busy.bind(0, '127.0.0.1', resolve));
  const port = busy.address().port;
  try {
    const r = await cli(
      ['serve', '--data-dir', dataDir, '--no-api', '--sensor-host', '127.0.0.1', '--syslog-port', 'off', '--sflow-port', 'off', '--trap-port', String(port)],
      { NETREFLEX_LOG_LEVEL: 'silent' },
    );
    assert.notEqual(r.code, null, `serve did not exit by itself: ${r.stderr}`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`error NRX_ERR_CONFIG: sensor snmptrap cannot listen on 127\\.0\\.0\\.1 port ${port}/udp: the port is in use`));
    assert.match(r.stderr, /--trap-port/);
    assert.doesNotMatch(r.stderr, /resumed \d+ executions/);
  } finally {
    busy.close();
  }
  const after = openSqliteStore(dataDir);
  try {
    assert.equal((await after.getExecution('exec-in-flight'))?.status, 'running', 'the in-flight execution was not touched');
    assert.equal((await after.listTriggerInstances({ status: ['pending'] })).map((t) => t.id).join(), 'event-pending', 'the pending event was not taken');
  } finally {
    await after.close();
  }
});

/** A second API on the harness's appliance with a login throttle on a clock the test moves, and its log lines. */
async function loginApi(h: Harness, clock: { now: number }) {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  const app = await buildApp({
    appliance: h.appliance,
    inventory: h.inventory,
    kv: h.kv,
    credentials: new CredentialStore(h.kv),
    auth: h.auth,
    log,
    loginThrottle: new LoginThrottle({ now: () => clock.now }),
  });
  const login = (user: string, password: string, from: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: from, payload: { user, password } });
  return { app, login, lines };
}

test('login is throttled after repeated wrong passwords per user and per address', async () => {
  await withApi(async (h) => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const { app, login, lines } = await loginApi(h, clock);
    try {
      // Per user: 100 wrong passwords in a row, as fast as they go, then the right one.
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) statuses.push((await login('operator', `guess-${i}`, '192.0.2.10')).statusCode);
      assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'five free failures');
      assert.deepEqual(new Set(statuses.slice(5)), new Set([429]), 'then every attempt is refused unchecked');
      const locked = await login('operator', 'operator-password', '192.0.2.10');
      assert.deepEqual([locked.statusCode, locked.json().code], [429, 'NRX_ERR_THROTTLED'], 'the right password does not get through a lock');
      assert.equal(locked.headers['retry-after'], '1');
      assert.match(locked.json().message, /too many failed logins for user 'operator'/);
      assert.equal((await login('operator', 'operator-password', '198.51.100.7')).statusCode, 429, 'the lock is on the user name, from any address');
      clock.now += 1000;
      assert.equal((await login('operator', 'operator-password', '192.0.2.10')).statusCode, 200, 'once the lock has run out the owner gets in');

      // Per address: one guess each at 20 user names, then even a right password from there waits.
      for (let i = 0; i < 20; i++) assert.equal((await login(`user${i}`, 'wrong-password', '203.0.113.5')).statusCode, 401);
      const byAddress = await login('observer', 'observer-password', '203.0.113.5');
      assert.deepEqual([byAddress.statusCode, byAddress.json().details.by], [429, 'address'], byAddress.body);
      assert.match(byAddress.json().message, /from 203\.0\.113\.5/);
      assert.equal((await login('observer', 'observer-password', '203.0.113.6')).statusCode, 200, 'the same user from elsewhere is not locked');

      // Each refusal is in the appliance log (user, address, code) without the password, and in the audit log.
      const refusals = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'login_refused');
      assert.equal(refusals.length, 100 + 2 + 20 + 1);
      assert.ok(refusals.some((r) => r.user === 'operator' && r.source === '192.0.2.10' && r.status === 429 && r.code === 'NRX_ERR_THROTTLED'));
      assert.ok(!lines.some((l) => l.includes('guess-') || l.includes('operator-password')), 'no password in the log');
      const audit = (await h.auth.audit.list({ user: 'operator', limit: 500 })).filter((e) => e.route === '/api/v1/auth/login');
      assert.ok(audit.some((e) => e.status === 429 && e.sourceIp === '192.0.2.10'));
    } finally {
      await app.close();
    }
  });
});

test('a 10 MB password is refused with 400', async () => {
  await withApi(async (h) => {
    const clock = { now: Date.now() };
    const { app, login, lines } = await loginApi(h, clock);
    try {
      const started = Date.now();
      const huge = await login('operator', 'x'.repeat(10_000_000), '192.0.2.20');
      assert.deepEqual([huge.statusCode, huge.json().code], [400, 'NRX_ERR_VALIDATION'], huge.body.slice(0, 300));
      assert.ok(Date.now() - started < 10_000, 'refused without hashing it');
      // Just over the cap, counted in bytes: 600 two-byte characters are 1,200 bytes.
      const overCap = await login('operator', 'é'.repeat(600), '192.0.2.20');
      assert.deepEqual([overCap.statusCode, overCap.json().code, overCap.json().field], [400, 'NRX_ERR_VALIDATION', 'password'], overCap.body);
      assert.match(overCap.json().message, /1200 bytes; at most 1024/);
      const overChars = await login('operator', 'y'.repeat(1025), '192.0.2.20');
      assert.deepEqual([overChars.statusCode, overChars.json().field], [400, 'body.password']);
      // Nor can such a password be set.
      const create = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: h.as('admin'),
        payload: { name: 'longpw', password: 'z'.repeat(1025), role: 'observer' },
      });
      assert.equal(create.statusCode, 400, create.body);
      // Refusals for size do not count as guesses, and are logged.
      assert.equal((await login('operator', 'operator-password', '192.0.2.20')).statusCode, 200);
      assert.equal(lines.filter((l) => l.includes('"login_refused"')).length, 3);
    } finally {
      await app.close();
    }
  });
});

test('event data in an http-request URL is percent-encoded', async () => {
  // A local HTTP server on a free port records the exact request line it gets.
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const packs = tempDir('http-packs');
  writePack(path.join(packs, 'notify'), 'notify', {
    'rules/note.yaml': [
      'name: note',
      'pack: notify',
      'enabled: true',
      'trigger:',
      '  type: core.event',
      'action:',
      '  ref: core.http',
      '  parameters:',
      `    url: "http://127.0.0.1:${port}/api/devices/{{ trigger.device }}/notes?msg={{ trigger.msg }}&tag=fixed#{{ trigger.msg }}"`,
      '',
    ].join('\n'),
  });
  const dataDir = tempDir('http-data');
  const appliance = new Appliance({ config: loadConfig({ dataDir, packsPaths: [packs] }, {}), log: silentLogger, inboxPollMs: 50 });
  await appliance.start();
  try {
    // The attack: a device name with path syntax and a message that adds a query parameter and cuts the URL.
    await appliance.emit(makeEvent('core.event', { device: 'r1?x=1/b c', msg: 'down & admin=1#x?y' }, { source: 'test' }));
    let done = false;
    for (let i = 0; i < 200 && !done; i++) {
      await new Promise((r) => setTimeout(r, 50));
      done = (await appliance.store.listExecutions({ action: 'core.http' })).some((e) => e.status === 'succeeded' || e.status === 'failed');
    }
    const [exec] = await appliance.store.listExecutions({ action: 'core.http' });
    assert.equal(exec?.status, 'succeeded', JSON.stringify(exec));
    assert.deepEqual(seen, ['/api/devices/r1%3Fx%3D1/b%20c/notes?msg=down%20%26%20admin%3D1%23x%3Fy&tag=fixed']);

    // A value holding a `..` segment has no safe spelling (URL parsers resolve %2E%2E too): refused.
    const enforcementsBefore = (await appliance.store.listEnforcements({ ruleRef: 'notify.note' })).length;
    await appliance.emit(makeEvent('core.event', { device: 'r1/../../admin', msg: 'm' }, { source: 'test' }));
    let failed = null as null | { reason: string | null };
    for (let i = 0; i < 200 && !failed; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const list = await appliance.store.listEnforcements({ ruleRef: 'notify.note' });
      if (list.length > enforcementsBefore) failed = list.find((e) => e.outcome === 'failed') ?? { reason: `outcome ${list[0]!.outcome}` };
    }
    assert.match(failed?.reason ?? '', /segment "\.\."/);
    assert.equal(seen.length, 1, 'no request went out');
  } finally {
    await appliance.stop();
    await new Promise((r) => server.close(r));
  }

  // The base of a URL kept as written, the host checked, and `urlencode` offered for other places.
  const ctx = { base: 'https://nb.example.net', host: 'evil.example/x?', name: 'a b/c', q: { q: 'x&y', n: 2 } };
  assert.equal(renderValue('{{ base }}/api/dcim/devices/{{ name }}/', ctx, { field: 'url' }), 'https://nb.example.net/api/dcim/devices/a%20b/c/');
  assert.throws(() => renderValue('http://{{ host }}/x', ctx, { field: 'url' }), /host part of a URL/);
  assert.equal(renderString('{{ name | urlencode }}', ctx), 'a%20b%2Fc');
  assert.equal(renderString('{{ q | urlencode }}', ctx), 'q=x%26y&n=2');
  assert.equal(
    renderValue('http://h/{{ name | urlencode }}', ctx, { field: 'url' }),
    'http://h/a%20b%2Fc',
    'an expression already encoded is not encoded twice',
  );
});
