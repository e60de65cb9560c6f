// The repository contract: what every store backend must do, written against the Store
// interface only. sqlite-contract.test.ts runs it on SQLite; another backend (PostgreSQL)
// gets the same suite by calling storeContract with its own factory.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import type { KeyValueRecord } from '../../src/store/records.js';
import type { InventoryEntry } from '../../src/store/repositories/inventory.js';
import type { Store } from '../../src/store/store.js';
import { keyValue, triggerInstance } from './make-records.js';

export interface StoreUnderTest {
  store: Store;
  /** A second, independent handle on the same data: what another process would open. */
  openAnother(): Promise<Store>;
}

const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:00:01.000Z';
const T2 = '2030-01-01T00:00:02.000Z';

function user(name: string, over: Partial<Parameters<Store['users']['add']>[0]> = {}): Parameters<Store['users']['add']>[0] {
  return { name, role: 'operator', passwordHash: `hash-of-${name}`, grants: { packs: ['network'] }, createdAt: T0, ...over };
}

/** A host or group with fields besides its name. */
function entry(name: string, fields: object = {}): InventoryEntry {
  return { ...fields, name };
}

function apiKey(id: string, owner: string, createdAt = T0): Parameters<Store['apiKeys']['add']>[0] {
  return {
    id,
    keyHash: `key-hash-${id}`,
    prefix: `nrxk_${id}`,
    user: owner,
    role: 'observer',
    grants: { inventory: 'site=dc1' },
    description: null,
    createdAt,
    lastUsedAt: null,
  };
}

export function storeContract(backend: string, open: () => Promise<StoreUnderTest>): void {
  const opened: Store[] = [];
  after(async () => {
    for (const s of opened.reverse()) await s.close();
  });
  async function fresh(): Promise<StoreUnderTest> {
    const t = await open();
    opened.push(t.store);
    return {
      store: t.store,
      openAnother: async () => {
        const s = await t.openAnother();
        opened.push(s);
        return s;
      },
    };
  }

  describe(`${backend} store: users, API keys, login tokens`, () => {
    test('users: added, read back as given, listed by name, counted', async () => {
      const { store } = await fresh();
      assert.equal(await store.users.count(), 0);
      await store.users.add(user('zed'));
      await store.users.add(user('amy', { role: 'admin', grants: {} }));
      assert.deepEqual(await store.users.get('zed'), user('zed'));
      assert.equal(await store.users.get('nobody'), null);
      assert.deepEqual(
        (await store.users.list()).map((u) => u.name),
        ['amy', 'zed'],
      );
      assert.equal(await store.users.count(), 2);
      await assert.rejects(store.users.add(user('amy')), 'a second user of the same name is refused');
    });

    test('a new password hash replaces the old one; an unknown user is reported', async () => {
      const { store } = await fresh();
      await store.users.add(user('ops'));
      assert.equal(await store.users.setPasswordHash('ops', 'new-hash'), true);
      assert.equal((await store.users.get('ops'))?.passwordHash, 'new-hash');
      assert.equal(await store.users.setPasswordHash('nobody', 'x'), false);
    });

    test('a new role and grants replace the old ones and keep the password; an unknown user is reported', async () => {
      const { store } = await fresh();
      await store.users.add(user('ops'));
      assert.equal(await store.users.setRole('ops', 'admin', { inventory: 'site=dc2' }), true);
      const u = await store.users.get('ops');
      assert.deepEqual([u?.role, u?.grants, u?.passwordHash], ['admin', { inventory: 'site=dc2' }, 'hash-of-ops']);
      assert.equal(await store.users.setRole('nobody', 'admin', {}), false);
    });

    test("deleting a user takes its login tokens and API keys with it, and nobody else's", async () => {
      const { store } = await fresh();
      for (const n of ['ops', 'other']) {
        await store.users.add(user(n));
        await store.apiKeys.add(apiKey(`k-${n}`, n));
        await store.loginTokens.add({ tokenHash: `t-${n}`, user: n, expiresAt: T2, createdAt: T0 });
      }
      assert.equal(await store.users.delete('ops'), true);
      assert.equal(await store.users.delete('ops'), false);
      assert.equal(await store.users.get('ops'), null);
      assert.equal(await store.apiKeys.get('k-ops'), null);
      assert.equal(await store.loginTokens.find('t-ops'), null);
      assert.ok(await store.apiKeys.get('k-other'));
      assert.ok(await store.loginTokens.find('t-other'));
    });

    test('API keys: found by id and by hash, listed oldest first per user, marked when used, deleted', async () => {
      const { store } = await fresh();
      await store.apiKeys.add(apiKey('b', 'ops', T1));
      await store.apiKeys.add(apiKey('a', 'ops', T0));
      await store.apiKeys.add(apiKey('c', 'amy', T2));
      assert.deepEqual(await store.apiKeys.get('a'), apiKey('a', 'ops', T0));
      assert.equal((await store.apiKeys.findByHash('key-hash-b'))?.id, 'b');
      assert.equal(await store.apiKeys.findByHash('key-hash-x'), null);
      assert.deepEqual(
        (await store.apiKeys.list('ops')).map((k) => k.id),
        ['a', 'b'],
      );
      assert.deepEqual(
        (await store.apiKeys.list()).map((k) => k.id),
        ['a', 'b', 'c'],
      );
      assert.deepEqual(await store.apiKeys.list('nobody'), []);
      await store.apiKeys.markUsed('a', T2);
      assert.equal((await store.apiKeys.get('a'))?.lastUsedAt, T2);
      assert.equal(await store.apiKeys.delete('a'), true);
      assert.equal(await store.apiKeys.delete('a'), false);
      assert.equal(await store.apiKeys.findByHash('key-hash-a'), null);
    });

    test('login tokens: found by hash, revoked one by one or per user, expired ones swept', async () => {
      const { store } = await fresh();
      await store.loginTokens.add({ tokenHash: 'old', user: 'ops', expiresAt: T0, createdAt: T0 });
      await store.loginTokens.add({ tokenHash: 'edge', user: 'ops', expiresAt: T1, createdAt: T0 });
      await store.loginTokens.add({ tokenHash: 'new', user: 'amy', expiresAt: T2, createdAt: T0 });
      assert.deepEqual(await store.loginTokens.find('new'), { tokenHash: 'new', user: 'amy', expiresAt: T2, createdAt: T0 });
      await store.loginTokens.deleteExpired(T1);
      assert.equal(await store.loginTokens.find('old'), null, 'expired before the time: gone');
      assert.ok(await store.loginTokens.find('edge'), 'expiring at the time itself: kept');
      await store.loginTokens.deleteForUser('ops');
      assert.equal(await store.loginTokens.find('edge'), null);
      assert.equal(await store.loginTokens.delete('new'), true);
      assert.equal(await store.loginTokens.delete('new'), false);
    });
  });

  describe(`${backend} store: audit log`, () => {
    test('newest first, by user, paged with before and limit; detail kept as JSON, undefined as null', async () => {
      const { store } = await fresh();
      const auditEntry = (userName: string | null, route: string, detail: unknown) => ({
        time: T0,
        user: userName,
        role: userName ? 'admin' : null,
        method: 'POST',
        route,
        target: null,
        status: 200,
        sourceIp: '192.0.2.1',
        detail,
      });
      await store.audit.add(auditEntry('amy', '/a', { n: 1, nested: [true, null] }));
      await store.audit.add(auditEntry(null, '/b', undefined));
      await store.audit.add(auditEntry('amy', '/c', 'text'));
      const all = await store.audit.list({ limit: 10 });
      assert.deepEqual(
        all.map((e) => e.route),
        ['/c', '/b', '/a'],
      );
      assert.ok(all[0]!.id > all[1]!.id && all[1]!.id > all[2]!.id, 'ids increase with time');
      assert.deepEqual(all[2]!.detail, { n: 1, nested: [true, null] });
      assert.equal(all[1]!.detail, null);
      assert.equal(all[1]!.user, null);
      assert.deepEqual(
        (await store.audit.list({ user: 'amy', limit: 10 })).map((e) => e.route),
        ['/c', '/a'],
      );
      assert.deepEqual(
        (await store.audit.list({ limit: 1 })).map((e) => e.route),
        ['/c'],
      );
      assert.deepEqual(
        (await store.audit.list({ limit: 10, before: all[0]!.id })).map((e) => e.route),
        ['/b', '/a'],
      );
    });
  });

  describe(`${backend} store: inventory`, () => {
    test('empty at first; an update keeps its place, a new entry goes last, deletes count what they removed', async () => {
      const { store } = await fresh();
      assert.deepEqual(store.inventory.current(), { hosts: [], groups: [], defaults: {} });
      await store.inventory.apply([
        { op: 'putHost', entry: entry('b', { hostname: '192.0.2.2' }) },
        { op: 'putHost', entry: entry('a', { groups: ['dc1'] }) },
        { op: 'putGroup', entry: entry('dc1', { data: { site: 'dc1' } }) },
        { op: 'putDefaults', defaults: { platform: 'frr' } },
      ]);
      await store.inventory.apply([
        { op: 'putHost', entry: entry('b', { hostname: '192.0.2.20' }) },
        { op: 'putHost', entry: { name: 'c' } },
      ]);
      const inv = store.inventory.current();
      assert.deepEqual(inv.hosts, [{ name: 'b', hostname: '192.0.2.20' }, { name: 'a', groups: ['dc1'] }, { name: 'c' }]);
      assert.deepEqual(inv.groups, [{ name: 'dc1', data: { site: 'dc1' } }]);
      assert.deepEqual(inv.defaults, { platform: 'frr' });
      assert.deepEqual(
        await store.inventory.apply([
          { op: 'deleteHost', name: 'a' },
          { op: 'deleteHost', name: 'nope' },
          { op: 'deleteGroup', name: 'dc1' },
        ]),
        { removed: 2 },
      );
      assert.deepEqual(
        store.inventory.current().hosts.map((h) => h.name),
        ['b', 'c'],
      );
    });

    test('replaceAll puts everything in the order given', async () => {
      const { store } = await fresh();
      await store.inventory.apply([
        { op: 'putHost', entry: { name: 'gone' } },
        { op: 'putDefaults', defaults: { port: 22 } },
      ]);
      await store.inventory.apply([
        { op: 'replaceAll', inventory: { hosts: [{ name: 'z' }, { name: 'm' }], groups: [{ name: 'g2' }, { name: 'g1' }], defaults: { username: 'netops' } } },
      ]);
      assert.deepEqual(store.inventory.current(), {
        hosts: [{ name: 'z' }, { name: 'm' }],
        groups: [{ name: 'g2' }, { name: 'g1' }],
        defaults: { username: 'netops' },
      });
    });

    test("current() is the same object until something changes, and sees another handle's writes", async () => {
      const { store, openAnother } = await fresh();
      await store.inventory.apply([{ op: 'putHost', entry: { name: 'a' } }]);
      const first = store.inventory.current();
      assert.equal(store.inventory.current(), first);
      await store.kv.put(keyValue('system', 'unrelated'));
      assert.equal(store.inventory.current(), first, 'a write elsewhere in the store does not re-read the inventory');
      const other = await openAnother();
      await other.inventory.apply([{ op: 'putHost', entry: { name: 'from-elsewhere' } }]);
      assert.deepEqual(
        store.inventory.current().hosts.map((h) => h.name),
        ['a', 'from-elsewhere'],
      );
    });

    test('a batch that cannot be written leaves the inventory as it was', async () => {
      const { store } = await fresh();
      await store.inventory.apply([{ op: 'putHost', entry: { name: 'kept' } }]);
      const loop: { name: string; self?: unknown } = { name: 'loop' };
      loop.self = loop; // cannot be serialised
      await assert.rejects(
        store.inventory.apply([
          { op: 'deleteHost', name: 'kept' },
          { op: 'putHost', entry: loop },
        ]),
      );
      assert.deepEqual(store.inventory.current().hosts, [{ name: 'kept' }]);
    });
  });

  describe(`${backend} store: API rules and rule overrides`, () => {
    test('rules: stored as given, replaced, listed by ref, deleted with their override', async () => {
      const { store } = await fresh();
      await store.ruleOverrides.putRule('ops.b', { name: 'b', pack: 'ops', criteria: { 'trigger.x': { type: 'equals', pattern: 1 } } }, T0);
      await store.ruleOverrides.putRule('ops.a', 'name: a\npack: ops\n', T0);
      await store.ruleOverrides.putRule('ops.b', { name: 'b', pack: 'ops', enabled: false }, T1);
      assert.equal(await store.ruleOverrides.hasRule('ops.a'), true);
      assert.equal(await store.ruleOverrides.hasRule('ops.z'), false);
      const rules = await store.ruleOverrides.listRules();
      assert.deepEqual(
        rules.map((r) => [r.ref, r.doc]),
        [
          ['ops.a', 'name: a\npack: ops\n'],
          ['ops.b', { name: 'b', pack: 'ops', enabled: false }],
        ],
      );
      await store.ruleOverrides.setEnabled('ops.a', false, T1);
      await store.ruleOverrides.setEnabled('pack.rule', true, T1);
      await store.ruleOverrides.setEnabled('pack.rule', false, T2);
      assert.deepEqual(
        await store.ruleOverrides.enabledOverrides(),
        new Map([
          ['ops.a', false],
          ['pack.rule', false],
        ]),
      );
      assert.equal(await store.ruleOverrides.deleteRule('ops.a'), true);
      assert.equal(await store.ruleOverrides.deleteRule('ops.a'), false);
      assert.deepEqual(await store.ruleOverrides.enabledOverrides(), new Map([['pack.rule', false]]));
      assert.deepEqual(
        (await store.ruleOverrides.listRules()).map((r) => r.ref),
        ['ops.b'],
      );
    });
  });

  describe(`${backend} store: pending events feed`, () => {
    test('recover hands out what was pending first, then each new pending event once, also from another handle', async () => {
      const { store, openAnother } = await fresh();
      await store.commit([
        { op: 'putTriggerInstance', value: triggerInstance('p2') },
        { op: 'putTriggerInstance', value: triggerInstance('done', { status: 'processed' }) },
        { op: 'putTriggerInstance', value: triggerInstance('p1') },
      ]);
      const feed = store.pendingEvents();
      assert.equal(await feed.recover(), 2);
      const cli = await openAnother();
      await cli.commit([{ op: 'putTriggerInstance', value: triggerInstance('0-from-cli') }]);
      const ids = async (max?: number) => (await feed.next(max)).map((e) => e.id);
      assert.deepEqual(await ids(1), ['p1']);
      assert.deepEqual(await ids(), ['p2']);
      assert.deepEqual(await ids(), ['0-from-cli']);
      assert.deepEqual(await ids(), []);
      await store.commit([{ op: 'putTriggerInstance', value: triggerInstance('late', { status: 'processed' }) }]);
      assert.deepEqual(await ids(), [], 'an event already processed is not handed out');
    });
  });

  describe(`${backend} store: key-value datastore`, () => {
    test('put, get, peek, list by literal prefix in key order; expired keys are invisible; delete', async () => {
      const { store } = await fresh();
      await store.kv.put(keyValue('system', 'ntp/b', { value: '192.0.2.2' }));
      await store.kv.put(keyValue('system', 'ntp/a', { value: '192.0.2.1' }));
      await store.kv.put(keyValue('system', 'ntp_x'));
      await store.kv.put(keyValue('system', 'ntp/old', { expiresAt: '2000-01-01T00:00:00.000Z' }));
      await store.kv.put(keyValue('user:amy', 'ntp/c'));
      assert.equal((await store.kv.get('system', 'ntp/a'))?.value, '192.0.2.1');
      assert.equal(store.kv.peek('system', 'ntp/b')?.value, '192.0.2.2');
      assert.equal(await store.kv.get('system', 'ntp/old'), null);
      assert.equal(store.kv.peek('system', 'ntp/old'), null);
      assert.ok(store.kv.peek('system', 'ntp/old', new Date('1999-01-01T00:00:00Z')), 'not yet expired back then');
      assert.deepEqual(
        (await store.kv.list('system', 'ntp/')).map((k) => k.key),
        ['ntp/a', 'ntp/b'],
      );
      assert.deepEqual(
        (await store.kv.list('system', 'ntp_')).map((k) => k.key),
        ['ntp_x'],
        'the prefix is text, not a pattern',
      );
      assert.deepEqual(
        (await store.kv.list('user:amy')).map((k) => k.key),
        ['ntp/c'],
      );
      await store.kv.put(keyValue('system', 'ntp/a', { value: 'replaced' }));
      assert.equal((await store.kv.get('system', 'ntp/a'))?.value, 'replaced');
      await store.kv.delete('system', 'ntp/a');
      await store.kv.delete('system', 'never-there');
      assert.equal(await store.kv.get('system', 'ntp/a'), null);
    });

    test('putIfAbsent: of racing callers exactly one creates a name, a write queued earlier counts, an expired key is replaced; deleteIfValue deletes only its own value', async () => {
      const { store } = await fresh();
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.kv.putIfAbsent(keyValue('pack:x', 'vni/5000', { value: `net-${i}` }))));
      assert.equal(wins.filter(Boolean).length, 1);
      const owner = `net-${wins.indexOf(true)}`;
      assert.equal((await store.kv.get('pack:x', 'vni/5000'))?.value, owner);

      void store.kv.put(keyValue('pack:x', 'queued', { value: 'first' }));
      assert.equal(await store.kv.putIfAbsent(keyValue('pack:x', 'queued', { value: 'second' })), false, 'the put queued before it landed first');
      await store.kv.put(keyValue('pack:x', 'old', { value: 'gone', expiresAt: '2000-01-01T00:00:00.000Z' }));
      assert.equal(await store.kv.putIfAbsent(keyValue('pack:x', 'old', { value: 'new' })), true);
      assert.equal((await store.kv.get('pack:x', 'old'))?.value, 'new');

      assert.equal(await store.kv.deleteIfValue('pack:x', 'vni/5000', 'someone-else'), false);
      assert.equal((await store.kv.get('pack:x', 'vni/5000'))?.value, owner);
      assert.equal(await store.kv.deleteIfValue('pack:x', 'vni/5000', owner), true);
      assert.equal(await store.kv.get('pack:x', 'vni/5000'), null);
      assert.equal(await store.kv.deleteIfValue('pack:x', 'vni/5000', owner), false);
    });

    test('resealSecrets rewrites every live secret at once, drops expired ones, and changes nothing when reseal throws', async () => {
      const { store } = await fresh();
      const now = new Date('2030-06-01T00:00:00Z');
      await store.kv.put(keyValue('system', 'plain', { value: 'p' }));
      await store.kv.put(keyValue('system', 's1', { value: 'sealed-1', secret: true }));
      await store.kv.put(keyValue('user:amy', 's2', { value: 'sealed-2', secret: true }));
      await store.kv.put(keyValue('system', 'stale', { value: 'sealed-3', secret: true, expiresAt: '2030-01-01T00:00:00.000Z' }));
      const value = async (scope: string, key: string) => (await store.kv.get(scope, key, new Date('2029-01-01T00:00:00Z')))?.value;

      await assert.rejects(
        store.kv.resealSecrets((r) => {
          if (r.key === 's2') throw new NrxError('NRX_ERR_SECRET', 'cannot open s2');
          return `new-${r.value}`;
        }, now),
        (e) => e instanceof NrxError && e.code === 'NRX_ERR_SECRET',
      );
      assert.deepEqual([await value('system', 's1'), await value('user:amy', 's2'), await value('system', 'stale')], ['sealed-1', 'sealed-2', 'sealed-3']);

      const seen: KeyValueRecord[] = [];
      const r = await store.kv.resealSecrets((rec) => (seen.push(rec), `new-${rec.value}`), now);
      assert.equal(r.resealed, 2);
      assert.equal(r.expiredDeleted, 1);
      assert.equal(typeof r.oldValuesErased, 'boolean');
      assert.deepEqual(seen.map((s) => [s.scope, s.key, s.secret]).sort(), [
        ['system', 's1', true],
        ['user:amy', 's2', true],
      ]);
      assert.deepEqual([await value('system', 's1'), await value('user:amy', 's2'), await value('system', 'plain')], ['new-sealed-1', 'new-sealed-2', 'p']);
      assert.equal(await value('system', 'stale'), undefined);
    });
  });
}
