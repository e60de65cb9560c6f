import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuthService } from '../../src/auth/auth-service.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { cli, FIXTURE_PACKS, liveAppliance, type CliResult, type LiveAppliance } from './cli-harness.js';

/**
 * `netreflex action`, `user`, `apikey` and `webhook`: offline on a data directory and through
 * the API when logged in, as the "missing nouns" asks. Each command is run for real.
 */
const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-nouns-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const json = <T = unknown>(r: CliResult): T => {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

/** An existing appliance data directory, as `serve` leaves it: a database with the first admin. */
async function dataDirWithAdmin(): Promise<{ dir: string; adminPassword: string }> {
  const dir = mkdtempSync(path.join(tmp, 'data-'));
  const store = openSqliteStore(dir);
  const first = await new AuthService(store).ensureAdmin({});
  await store.close();
  return { dir, adminPassword: first.password! };
}

/** With the store closed again, so the CLI's child process is the only writer while it runs. */
async function withAuth<T>(dir: string, body: (auth: AuthService) => Promise<T>): Promise<T> {
  const store = openSqliteStore(dir);
  try {
    return await body(new AuthService(store));
  } finally {
    await store.close();
  }
}

describe('offline on a data directory (no URL configured)', () => {
  let dir: string;
  // an empty config home: no URL from a config file a developer may have
  const env = () => ({ XDG_CONFIG_HOME: path.join(tmp, 'no-config'), NETREFLEX_DATA_DIR: dir, NO_COLOR: '1' });
  before(async () => {
    ({ dir } = await dataDirWithAdmin());
  });

  test('user add, list, passwd, rm; the last admin cannot be removed', async () => {
    const add = await cli(['user', 'add', 'alice', '--role', 'operator', '--inventory', 'site=dc1'], env(), 'alice-password-1\n');
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /user alice added \(operator; inventory=site=dc1\)/);
    const users = json<Array<{ name: string; role: string; grants: object; source: string }>>(await cli(['user', 'list', '--json'], env()));
    assert.deepEqual(
      users.map((u) => [u.name, u.role, u.source]),
      [
        ['admin', 'admin', 'local'],
        ['alice', 'operator', 'local'],
      ],
    );
    assert.deepEqual(users[1]!.grants, { inventory: 'site=dc1' });
    assert.equal((await withAuth(dir, (a) => a.login('alice', 'alice-password-1'))).role, 'operator');

    const passwd = await cli(['user', 'passwd', 'alice'], { ...env(), NETREFLEX_NEW_PASSWORD: 'alice-password-2' });
    assert.equal(passwd.code, 0, passwd.stderr);
    await withAuth(dir, async (a) => {
      assert.equal((await a.login('alice', 'alice-password-2')).user, 'alice');
      await assert.rejects(a.login('alice', 'alice-password-1'));
    });

    const bad = await cli(['user', 'add', 'eve', '--role', 'root'], env(), 'eve-password\n');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /NRX_ERR_USAGE: --role 'root': use one of admin, operator, observer/);
    const last = await cli(['user', 'rm', 'admin'], env());
    assert.equal(last.code, 1);
    assert.match(last.stderr, /NRX_ERR_CONFLICT: 'admin' is the last admin/);
    assert.equal((await cli(['user', 'rm', 'alice'], env())).code, 0);
    const none = await cli(['user', 'rm', 'alice'], env());
    assert.equal(none.code, 2);
    assert.match(none.stderr, /NRX_ERR_NOT_FOUND: no user 'alice'/);
  });

  test('apikey create prints the key once; it authenticates as its user; list and revoke by a unique start of the id', async () => {
    const made = json<{ id: string; key: string; user: string; role: string }>(
      await cli(['apikey', 'create', '--description', 'webhook setup', '--json'], env()),
    );
    assert.deepEqual([made.user, made.role], ['admin', 'admin']);
    assert.match(made.key, /^nrxk_/);
    assert.equal((await withAuth(dir, (a) => a.authenticate({ apiKey: made.key })))?.role, 'admin');
    const narrowed = json<{ role: string; grants: object }>(await cli(['apikey', 'create', '--role', 'observer', '--packs', 'core,netops', '--json'], env()));
    assert.deepEqual([narrowed.role, narrowed.grants], ['observer', { packs: ['core', 'netops'] }]);

    const list = await cli(['apikey', 'list'], env());
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /webhook setup/);
    assert.ok(!list.stdout.includes(made.key), 'a listing never shows a key');
    const revoke = await cli(['apikey', 'revoke', made.id.slice(0, 20)], env());
    assert.equal(revoke.code, 0, revoke.stderr);
    await assert.rejects(withAuth(dir, (a) => a.authenticate({ apiKey: made.key })));
    const nobody = await cli(['apikey', 'create', '--user', 'nobody'], env());
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /no user 'nobody'/);
  });

  test('webhook create shows the secret once; list never does; rm deletes it', async () => {
    const made = json<{ name: string; kind: string; auth: string; url: string; secret: string; header: string }>(
      await cli(['webhook', 'create', 'neutron', '--kind', 'neutron', '--auth', 'hmac', '--json'], env()),
    );
    assert.deepEqual([made.kind, made.auth, made.url, made.header], ['neutron', 'hmac', '/api/v1/webhooks/neutron', 'X-Netreflex-Signature']);
    assert.ok(made.secret.length >= 32);
    const list = await cli(['webhook', 'list'], env());
    assert.match(list.stdout, /neutron +neutron +hmac +\/api\/v1\/webhooks\/neutron/);
    assert.ok(!list.stdout.includes(made.secret));
    const badKind = await cli(['webhook', 'create', 'x', '--kind', 'slack'], env());
    assert.equal(badKind.code, 2);
    assert.match(badKind.stderr, /--kind 'slack': use one of generic, neutron, alertmanager/);
    assert.equal((await cli(['webhook', 'rm', 'neutron'], env())).code, 0);
    assert.deepEqual(json(await cli(['webhook', 'list', '--json'], env())), []);
    assert.equal((await cli(['webhook', 'rm', 'neutron'], env())).code, 2);
  });

  test('action list and get read the pack paths; an unknown action is NRX_ERR_ACTION_NOT_FOUND', async () => {
    const list = json<Array<{ ref: string }>>(await cli(['action', 'list', '--packs-path', FIXTURE_PACKS, '--pack', 'demo', '--json'], env()));
    assert.ok(list.some((a) => a.ref === 'demo.bgp_watch'));
    assert.ok(list.every((a) => a.ref.startsWith('demo.')));
    const get = await cli(['action', 'get', 'demo.bgp_watch', '--packs-path', FIXTURE_PACKS], env());
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /demo\.bgp_watch +\(orquesta\)/);
    assert.match(get.stdout, /device\* +string/);
    assert.match(get.stdout, /wait +string, default "5s"/);
    const missing = await cli(['action', 'get', 'demo.nope', '--packs-path', FIXTURE_PACKS], env());
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /NRX_ERR_ACTION_NOT_FOUND: no action 'demo.nope'/);
  });

  test("every change made offline is in the appliance's audit log, as the local account that made it, never with a secret", async () => {
    const entries = await withAuth(dir, (a) => a.audit.list({ limit: 100 }));
    const routes = entries.map((e) => e.route);
    for (const r of ['user add', 'user passwd', 'user rm', 'apikey create', 'apikey revoke', 'webhook create', 'webhook rm'])
      assert.ok(routes.includes(`netreflex ${r}`), `${r} is audited: ${routes.join(', ')}`);
    assert.ok(entries.every((e) => e.method === 'CLI' && e.user?.startsWith('local:')));
    const text = JSON.stringify(entries);
    assert.ok(!/alice-password|nrxk_/.test(text), 'no password or key in the audit log');
  });

  test('a data directory without an appliance database is refused and not created', async () => {
    const nowhere = path.join(tmp, 'typo-dir');
    for (const args of [
      ['user', 'list'],
      ['apikey', 'list'],
      ['webhook', 'list'],
    ]) {
      const r = await cli(args, { ...env(), NETREFLEX_DATA_DIR: nowhere });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /NRX_ERR_USAGE: no appliance database \(netreflex\.db\) in .*typo-dir/);
    }
    assert.equal(existsSync(nowhere), false);
  });
});

describe('through the API when logged in', () => {
  let live: LiveAppliance;
  const adminHome = path.join(tmp, 'admin-home');
  const asAdmin = (args: string[], extra: Record<string, string> = {}, input?: string) =>
    cli(args, { XDG_CONFIG_HOME: adminHome, NO_COLOR: '1', ...extra }, input);
  before(async () => {
    live = await liveAppliance();
    const r = await cli(['login', '--url', live.url, '--user', 'admin'], { XDG_CONFIG_HOME: adminHome, NETREFLEX_PASSWORD: live.adminPassword });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => live?.close());

  test("the README's webhook walk: apikey create makes the admin key, webhook create takes it, the webhook receives", async () => {
    const key = json<{ key: string; role: string }>(await asAdmin(['apikey', 'create', '--description', 'webhook setup', '--json'])).key;
    // as a script would: the URL and the key in the environment, no login
    const byKey = { XDG_CONFIG_HOME: path.join(tmp, 'empty-home'), NETREFLEX_URL: live.url, NETREFLEX_API_KEY: key, NO_COLOR: '1' };
    const made = await cli(['webhook', 'create', 'neutron', '--kind', 'neutron', '--auth', 'hmac'], byKey);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, new RegExp(`POST ${live.url}/api/v1/webhooks/neutron`));
    const secret = /X-Netreflex-Signature = sha256=<.*> (\S+)/.exec(made.stdout)?.[1];
    assert.ok(secret, made.stdout);
    const body = JSON.stringify({ event_type: 'network.create.end', payload: { network: { id: 'n1', name: 'blue' } } });
    const res = await fetch(`${live.url}/api/v1/webhooks/neutron`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-netreflex-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
      body,
    });
    assert.equal(res.status, 202, await res.text());
    const list = json<Array<{ name: string }>>(await cli(['webhook', 'list', '--json'], byKey));
    assert.deepEqual(
      list.map((w) => w.name),
      ['neutron'],
    );
    assert.equal((await cli(['webhook', 'rm', 'neutron'], byKey)).code, 0);
  });

  test('user add, passwd and rm through the API; an observer is refused (exit 4) and may change only its own password', async () => {
    const add = await asAdmin(['user', 'add', 'bob', '--role', 'observer'], {}, 'bob-password-1\n');
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await live.auth.login('bob', 'bob-password-1')).role, 'observer');
    const reset = await asAdmin(['user', 'passwd', 'bob'], { NETREFLEX_NEW_PASSWORD: 'bob-password-2' });
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await live.auth.login('bob', 'bob-password-2')).user, 'bob');

    const bobHome = path.join(tmp, 'bob-home');
    assert.equal((await cli(['login', '--url', live.url, '--user', 'bob'], { XDG_CONFIG_HOME: bobHome, NETREFLEX_PASSWORD: 'bob-password-2' })).code, 0);
    const refused = await cli(['user', 'list'], { XDG_CONFIG_HOME: bobHome });
    assert.equal(refused.code, 4, refused.stderr);
    const other = await cli(['user', 'passwd', 'admin'], { XDG_CONFIG_HOME: bobHome, NETREFLEX_NEW_PASSWORD: 'hijacked-pw' }, 'bob-password-2\n');
    assert.equal(other.code, 4, other.stderr);
    await assert.rejects(live.auth.login('admin', 'hijacked-pw'));

    // its own, after its current password; a wrong current password changes nothing
    const wrongCurrent = await cli(['user', 'passwd'], { XDG_CONFIG_HOME: bobHome, NETREFLEX_PASSWORD: 'not-bobs', NETREFLEX_NEW_PASSWORD: 'bob-password-3' });
    assert.equal(wrongCurrent.code, 3, wrongCurrent.stderr);
    assert.match(wrongCurrent.stderr, /NRX_ERR_UNAUTHORIZED: the current password of 'bob' is wrong/);
    const own = await cli(['user', 'passwd'], { XDG_CONFIG_HOME: bobHome, NETREFLEX_PASSWORD: 'bob-password-2', NETREFLEX_NEW_PASSWORD: 'bob-password-3' });
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stdout, /password of bob changed; its login tokens are revoked \(log in again\)/);
    assert.equal((await live.auth.login('bob', 'bob-password-3')).user, 'bob');

    const users = json<Array<{ name: string }>>(await asAdmin(['user', 'list', '--json']));
    assert.deepEqual(users.map((u) => u.name).sort(), ['admin', 'bob']);
    assert.equal((await asAdmin(['user', 'rm', 'bob'])).code, 0);
    await assert.rejects(live.auth.login('bob', 'bob-password-3'));
  });

  test('apikey list and revoke through the API', async () => {
    const made = json<{ id: string; key: string }>(await asAdmin(['apikey', 'create', '--role', 'operator', '--description', 'ci', '--json']));
    const keys = json<Array<{ id: string; role: string; description: string }>>(await asAdmin(['apikey', 'list', '--json']));
    assert.equal(keys.find((k) => k.id === made.id)?.role, 'operator');
    const revoked = await asAdmin(['apikey', 'revoke', made.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await assert.rejects(live.auth.authenticate({ apiKey: made.key }));
    assert.equal((await asAdmin(['apikey', 'revoke', made.id])).code, 2);
  });

  test('action list and get through the API', async () => {
    const list = json<Array<{ ref: string }>>(await asAdmin(['action', 'list', '--pack', 'demo', '--json']));
    assert.ok(list.some((a) => a.ref === 'demo.bgp_watch'));
    const get = await asAdmin(['action', 'get', 'demo.bgp_watch']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /peer\* +string/);
    assert.match(get.stdout, /run it: netreflex run demo\.bgp_watch <name>=<value>/);
    const missing = await asAdmin(['action', 'get', 'demo.nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /NRX_ERR_ACTION_NOT_FOUND/);
  });
});
