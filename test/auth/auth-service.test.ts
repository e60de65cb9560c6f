import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { AuthService } from '../../src/auth/auth-service.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';
import { narrowGrants } from '../../src/auth/roles.js';
import { NrxError } from '../../src/core/errors.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function service(now?: () => number): { auth: AuthService; dir: string; store: SqliteStore } {
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-auth-'));
  dirs.push(dir);
  const store = openSqliteStore(dir);
  stores.push(store);
  return { auth: new AuthService(store, now ? { now } : {}), dir, store };
}

const isCode = (code: string) => (e: unknown) => e instanceof NrxError && e.code === code;

/** Move the WAL's pages into the main file, through a connection of the test's own. */
function checkpoint(dir: string): void {
  const raw = new Database(path.join(dir, 'netreflex.db'));
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
}

/** Every byte the database keeps on disk (main file and WAL). */
function databaseBytes(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith('netreflex.db'))
    .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
    .join('');
}

describe('passwords', () => {
  test('scrypt hash carries its parameters and a random salt; verify accepts only the password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.match(a, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horsE', a), false);
  });

  test('a malformed stored hash is a refusal, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (stored) => {
        assert.equal(await verifyPassword('x', stored.startsWith('scrypt$') ? `${stored}$$` : stored), false);
      }),
      { numRuns: 50 },
    );
    assert.equal(await verifyPassword('x', 'scrypt$99999999999$8$1$AA==$AA=='), false);
  });
});

describe('AuthService', () => {
  test('ensureAdmin creates admin once with a generated password, returned only then', async () => {
    const { auth } = service();
    const first = await auth.ensureAdmin({});
    assert.equal(first.created, true);
    assert.ok(first.password && first.password.length >= 20);
    const tok = await auth.login('admin', first.password!);
    assert.equal(tok.role, 'admin');
    const again = await auth.ensureAdmin({});
    assert.deepEqual([again.created, again.password], [false, null]);
  });

  test('ensureAdmin takes NETREFLEX_ADMIN_PASSWORD and does not echo it', async () => {
    const { auth } = service();
    const r = await auth.ensureAdmin({ NETREFLEX_ADMIN_PASSWORD: 'from-the-env-1' });
    assert.deepEqual([r.created, r.password, r.fromEnvironment], [true, null, true]);
    assert.equal((await auth.login('admin', 'from-the-env-1')).user, 'admin');
  });

  test('login tokens authenticate until they expire or are revoked', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { auth } = service(() => now);
    await auth.createUser({ name: 'ops', password: 'password-1', role: 'operator' });
    await assert.rejects(auth.login('ops', 'wrong-password'), isCode('NRX_ERR_UNAUTHORIZED'));
    await assert.rejects(auth.login('nobody', 'password-1'), isCode('NRX_ERR_UNAUTHORIZED'));
    const t = await auth.login('ops', 'password-1');
    assert.equal(t.expiresAt, '2030-01-02T00:00:00.000Z');
    assert.equal((await auth.authenticate({ bearer: t.token }))?.user, 'ops');
    now += 24 * 3600_000;
    await assert.rejects(auth.authenticate({ bearer: t.token }), (e) => isCode('NRX_ERR_UNAUTHORIZED')(e) && /expired/.test((e as Error).message));
    now -= 3600_000;
    assert.equal(await auth.logout(t.token), true);
    await assert.rejects(auth.authenticate({ bearer: t.token }), isCode('NRX_ERR_UNAUTHORIZED'));
    assert.equal(await auth.authenticate({}), null);
  });

  test('API keys: shown once, stored hashed, never wider than their owner, revoked with the user', async () => {
    const { auth, dir } = service();
    await auth.createUser({ name: 'ops', password: 'password-1', role: 'operator', grants: { inventory: 'site=dc1' } });
    const owner = { user: 'ops', role: 'operator' as const, grants: { inventory: 'site=dc1' } };
    await assert.rejects(auth.createApiKey(owner, { role: 'admin' }), isCode('NRX_ERR_FORBIDDEN'));
    const k = await auth.createApiKey(owner, { role: 'observer', grants: { packs: ['network'] } });
    assert.match(k.key, /^nrxk_/);
    const p = (await auth.authenticate({ apiKey: k.key }))!;
    assert.deepEqual([p.user, p.role, p.via], ['ops', 'observer', 'api_key']);
    assert.deepEqual(p.grants, { packs: ['network'], inventory: 'site=dc1' });
    assert.equal((await auth.listApiKeys('ops'))[0]!.prefix, k.key.slice(0, 11));
    assert.ok(!('key' in (await auth.listApiKeys('ops'))[0]!));
    checkpoint(dir);
    assert.ok(!databaseBytes(dir).includes(k.key), 'the clear key is not in the database file');
    assert.ok(!databaseBytes(dir).includes('password-1'), 'the clear password is not in the database file');
    await assert.rejects(auth.authenticate({ apiKey: `${k.key}x` }), isCode('NRX_ERR_UNAUTHORIZED'));
    await auth.deleteUser('ops');
    await assert.rejects(auth.authenticate({ apiKey: k.key }), isCode('NRX_ERR_UNAUTHORIZED'));
  });

  test('user names and passwords are checked', async () => {
    const { auth } = service();
    await assert.rejects(auth.createUser({ name: 'a b', password: 'password-1', role: 'observer' }), isCode('NRX_ERR_VALIDATION'));
    await assert.rejects(auth.createUser({ name: 'short', password: 'short', role: 'observer' }), isCode('NRX_ERR_VALIDATION'));
    await auth.createUser({ name: 'dup', password: 'password-1', role: 'observer' });
    await assert.rejects(auth.createUser({ name: 'dup', password: 'password-1', role: 'observer' }), isCode('NRX_ERR_CONFLICT'));
  });

  test('narrowGrants never widens', () => {
    assert.deepEqual(narrowGrants({ packs: ['a', 'b'] }, { packs: ['b', 'c'] }), { packs: ['b'] });
    assert.deepEqual(narrowGrants({}, { packs: ['c'] }), { packs: ['c'] });
    assert.deepEqual(narrowGrants({ inventory: 'site=dc1' }, { inventory: 'role=leaf' }), { inventory: '(site=dc1) and (role=leaf)' });
    assert.deepEqual(narrowGrants({ inventory: 'site=dc1' }, {}), { inventory: 'site=dc1' });
  });
});
