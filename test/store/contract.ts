// The repository contract: what every store backend must do, written against the Store
// interface only. sqlite-contract.test.ts runs it on SQLite; another backend (PostgreSQL)
// gets the same suite by calling storeContract with its own factory.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import type { KeyValueRecord } from '../../src/store/records.js';
import type { InventoryEntry } from '../../src/store/repositories/inventory.js';
import type { Store } from '../../src/store/store.js';
import { enforcement, execution, keyValue, task, triggerInstance, workflowState } from './make-records.js';
import { workQueueContract } from './work-queue-contract.js';

export interface StoreUnderTest {
  store: Store;
  /** A second, independent handle on the same data: what another process would open. */
  openAnother(): Promise<Store>;
  /**
   * A database server tells other handles about a write after it commits; this waits until
   * `store` has heard of every write committed so far. SQLite sees them at once and has none.
   */
  caughtUp?(store: Store): Promise<void>;
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

function isStoreError(e: unknown): boolean {
  return e instanceof NrxError && e.code === 'NRX_ERR_STORE';
}

export function storeContract(backend: string, open: () => Promise<StoreUnderTest>): void {
  const opened: Store[] = [];
  // each test's stores are closed after it: kept to the end of the file, their connections
  // (a pool and a listener each) came near PostgreSQL's limit of 100 when the machine was busy
  afterEach(async () => {
    for (const s of opened.splice(0).reverse()) await s.close();
  });
  async function fresh(): Promise<Required<StoreUnderTest>> {
    const t = await open();
    opened.push(t.store);
    return {
      store: t.store,
      caughtUp: async (s: Store) => t.caughtUp?.(s),
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
      const { store, openAnother, caughtUp } = await fresh();
      await store.inventory.apply([{ op: 'putHost', entry: { name: 'a' } }]);
      const first = store.inventory.current();
      assert.equal(store.inventory.current(), first);
      await store.kv.put(keyValue('system', 'unrelated'));
      assert.equal(store.inventory.current(), first, 'a write elsewhere in the store does not re-read the inventory');
      const other = await openAnother();
      await other.inventory.apply([{ op: 'putHost', entry: { name: 'from-elsewhere' } }]);
      await caughtUp(store);
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

    test("peek sees another handle's writes and deletes", async () => {
      const { store, openAnother, caughtUp } = await fresh();
      const other = await openAnother();
      await other.kv.put(keyValue('system', 'from-elsewhere', { value: 'v1' }));
      await caughtUp(store);
      assert.equal(store.kv.peek('system', 'from-elsewhere')?.value, 'v1');
      await other.kv.delete('system', 'from-elsewhere');
      await caughtUp(store);
      assert.equal(store.kv.peek('system', 'from-elsewhere'), null);
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
  describe(`${backend} store: events, enforcements, executions, tasks and keys through commit`, () => {
    test('every kind of write round-trips and puts are upserts', async () => {
      const { store: s } = await fresh();
      const ti = triggerInstance('ti1');
      const ex = execution('ex1', { result: undefined, error: { code: 'NRX_ERR_TIMEOUT', message: 'took too long' }, status: 'failed' });
      await s.commit([
        { op: 'putTriggerInstance', value: ti },
        { op: 'setTriggerInstanceStatus', id: 'ti1', status: 'processed' },
        { op: 'putEnforcement', value: enforcement('en1', { executionId: 'ex1' }) },
        { op: 'putExecution', value: ex },
        { op: 'putWorkflowState', value: workflowState('ex1') },
        { op: 'putTask', value: task('tk1', 'ex1', 0) },
        { op: 'kvPut', value: keyValue('system', 'vni.next', { value: '10001', secret: true }) },
        { op: 'addControlRequest', executionId: 'ex1', control: 'pause' },
        { op: 'addControlRequest', executionId: 'ex1', control: 'cancel' },
      ]);
      assert.deepEqual(await s.getTriggerInstance('ti1'), { ...ti, status: 'processed' });
      assert.deepEqual(await s.listEnforcements(), [enforcement('en1', { executionId: 'ex1' })]);
      // An undefined result is stored as SQL NULL and read back as null.
      assert.deepEqual(await s.getExecution('ex1'), { ...ex, result: null });
      assert.deepEqual(await s.getWorkflowState('ex1'), workflowState('ex1'));
      assert.deepEqual(await s.listTasks('ex1'), [task('tk1', 'ex1', 0)]);
      assert.deepEqual(await s.kvGet('system', 'vni.next'), keyValue('system', 'vni.next', { value: '10001', secret: true }));
      const controls = await s.listControlRequests();
      assert.deepEqual(
        controls.map((c) => [c.executionId, c.op]),
        [
          ['ex1', 'pause'],
          ['ex1', 'cancel'],
        ],
      );
      assert.ok(controls[0]!.id < controls[1]!.id);
      assert.ok(!Number.isNaN(Date.parse(controls[0]!.createdAt)));

      // Upserts replace the whole record.
      const ex2 = execution('ex1', { status: 'succeeded', result: { ok: 1 }, log: ['a', 'b'] });
      await s.commit([
        { op: 'putExecution', value: ex2 },
        { op: 'putTask', value: task('tk1', 'ex1', 0, { status: 'failed', result: null }) },
        { op: 'putWorkflowState', value: workflowState('ex1', { state: { done: ['diagnose', 'repair'] } }) },
        { op: 'kvPut', value: keyValue('system', 'vni.next', { value: '10002' }) },
        { op: 'putTriggerInstance', value: { ...ti, payload: { peer: '10.0.0.3', state: 'active' } } },
        { op: 'deleteControlRequest', id: controls[0]!.id },
      ]);
      assert.deepEqual(await s.getExecution('ex1'), ex2);
      assert.equal((await s.listTasks('ex1'))[0]!.status, 'failed');
      assert.deepEqual((await s.getWorkflowState('ex1'))!.state, { done: ['diagnose', 'repair'] });
      assert.equal((await s.kvGet('system', 'vni.next'))!.value, '10002');
      assert.equal((await s.kvGet('system', 'vni.next'))!.secret, false);
      assert.deepEqual((await s.getTriggerInstance('ti1'))!.payload, { peer: '10.0.0.3', state: 'active' });
      assert.deepEqual(
        (await s.listControlRequests()).map((c) => c.op),
        ['cancel'],
      );

      await s.commit([
        { op: 'deleteWorkflowState', executionId: 'ex1' },
        { op: 'kvDelete', scope: 'system', key: 'vni.next' },
        { op: 'deleteWorkflowState', executionId: 'never-existed' },
      ]);
      assert.equal(await s.getWorkflowState('ex1'), null);
      assert.equal(await s.kvGet('system', 'vni.next'), null);
      assert.equal(await s.getExecution('nope'), null);
      assert.equal(await s.getTriggerInstance('nope'), null);
    });

    test('a batch with a failing write writes nothing, and the error names the write', async () => {
      const { store: s } = await fresh();
      await s.commit([{ op: 'putExecution', value: execution('ex1', { status: 'running' }) }]);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await assert.rejects(
        s.commit([
          { op: 'putExecution', value: execution('ex1', { status: 'succeeded' }) },
          { op: 'putTriggerInstance', value: triggerInstance('ti1') },
          { op: 'putTask', value: task('tk1', 'ex1', 0, { result: circular }) },
        ]),
        (e) => isStoreError(e) && /write 3 of 3 \(putTask\)/.test((e as Error).message),
      );
      assert.equal((await s.getExecution('ex1'))!.status, 'running');
      assert.equal(await s.getTriggerInstance('ti1'), null);

      await assert.rejects(
        s.commit([
          { op: 'putTriggerInstance', value: triggerInstance('ti2') },
          { op: 'setTriggerInstanceStatus', id: 'missing', status: 'processed' },
        ]),
        (e) => isStoreError(e) && (e as Error).message.includes('missing'),
      );
      assert.equal(await s.getTriggerInstance('ti2'), null);

      // The store keeps working after a failed batch.
      await s.commit([{ op: 'putTriggerInstance', value: triggerInstance('ti3') }]);
      assert.ok(await s.getTriggerInstance('ti3'));
    });

    test('batches committed together: each all or nothing, a refused one alone, a conditional status change once', async () => {
      const { store: s } = await fresh();
      await s.commit([{ op: 'putTriggerInstance', value: triggerInstance('ev1') }]);
      // two deciders of one pending event in the same turn: the first decides it, the second is refused whole
      const decide = (exec: string): Promise<void> =>
        s.commit([
          { op: 'putExecution', value: execution(exec, { status: 'requested' }) },
          { op: 'setTriggerInstanceStatus', id: 'ev1', status: 'processed', from: 'pending' },
        ]);
      const quote = "it's \\ a 'quoted' value; DROP TABLE executions; --";
      const outcomes = await Promise.allSettled([
        decide('exA'),
        decide('exB'),
        s.commit([{ op: 'putTriggerInstance', value: triggerInstance('ev2', { source: quote }) }]),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /ev1 is no longer pending/);
      assert.equal((await s.getTriggerInstance('ev1'))!.status, 'processed');
      assert.ok(await s.getExecution('exA'));
      assert.equal(await s.getExecution('exB'), null);
      assert.equal((await s.getTriggerInstance('ev2'))!.source, quote);
      // and alone, later: refused the same way
      await assert.rejects(decide('exC'), (e) => isStoreError(e) && /no longer pending/.test((e as Error).message));
      assert.equal(await s.getExecution('exC'), null);
    });

    test('an empty batch is a no-op', async () => {
      const { store: s } = await fresh();
      await s.commit([]);
      assert.deepEqual(await s.listExecutions(), []);
    });

    test('executions: filters, newest first, limit and before paging', async () => {
      const { store: s } = await fresh();
      const wf = execution('e00', { action: 'remediation.bgp_peer_down', runner: 'orquesta', status: 'running' });
      const children = Array.from({ length: 9 }, (_, i) =>
        execution(`e0${i + 1}`, { parentId: 'e00', rootId: 'e00', taskName: 'diagnose', status: i % 3 === 0 ? 'failed' : 'succeeded' }),
      );
      const other = execution('e10', { action: 'core.local', status: 'failed' });
      await s.commit([wf, ...children, other].map((value) => ({ op: 'putExecution' as const, value })));

      const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
      assert.deepEqual(ids(await s.listExecutions()), ['e10', 'e09', 'e08', 'e07', 'e06', 'e05', 'e04', 'e03', 'e02', 'e01', 'e00']);
      assert.deepEqual(ids(await s.listExecutions({ parentId: null })), ['e10', 'e00']);
      assert.deepEqual(ids(await s.listExecutions({ parentId: 'e00', status: ['failed'] })), ['e07', 'e04', 'e01']);
      assert.deepEqual(ids(await s.listExecutions({ status: ['failed', 'running'], action: 'network.get_bgp_neighbors' })), ['e07', 'e04', 'e01']);
      assert.deepEqual(ids(await s.listExecutions({ status: ['running'] })), ['e00']);
      assert.deepEqual(ids(await s.listExecutions({ status: [] })), []);
      assert.deepEqual(ids(await s.listExecutions({ rootId: 'e00', limit: 3 })), ['e09', 'e08', 'e07']);
      assert.deepEqual(ids(await s.listExecutions({ rootId: 'e00', limit: 3, before: 'e07' })), ['e06', 'e05', 'e04']);
      assert.deepEqual(ids(await s.listExecutions({ rootId: 'e00', limit: 3, before: 'e01' })), ['e00']);
      assert.deepEqual(ids(await s.listExecutions({ limit: 0 })), []);
      assert.deepEqual(ids(await s.listExecutions({ ids: ['e03', 'e10', 'missing'] })), ['e10', 'e03']);
      assert.deepEqual(ids(await s.listExecutions({ ids: ['e03', 'e10'], status: ['failed'], parentId: null })), ['e10']);
      assert.deepEqual(ids(await s.listExecutions({ ids: [] })), []);

      // Paging through everything visits every row exactly once.
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await s.listExecutions({ limit: 4, ...(before ? { before } : {}) });
        if (!page.length) break;
        seen.push(...ids(page));
        before = page[page.length - 1]!.id;
      }
      assert.deepEqual(seen, ids(await s.listExecutions()));
    });

    test('trigger instances and enforcements: filters and paging', async () => {
      const { store: s } = await fresh();
      await s.commit([
        { op: 'putTriggerInstance', value: triggerInstance('t1', { status: 'processed' }) },
        { op: 'putTriggerInstance', value: triggerInstance('t2', { type: 'network.interface_down', payload: { interface: 'Ethernet1' } }) },
        { op: 'putTriggerInstance', value: triggerInstance('t3', { status: 'processing' }) },
        { op: 'putTriggerInstance', value: triggerInstance('t4') },
        { op: 'putEnforcement', value: enforcement('n1', { triggerInstanceId: 't1', executionId: 'x1' }) },
        { op: 'putEnforcement', value: enforcement('n2', { triggerInstanceId: 't1', ruleRef: 'ops.log', outcome: 'throttled', executionId: null }) },
        { op: 'putEnforcement', value: enforcement('n3', { triggerInstanceId: 't3', executionId: 'x2' }) },
      ]);
      const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
      assert.deepEqual(ids(await s.listTriggerInstances()), ['t4', 't3', 't2', 't1']);
      assert.deepEqual(ids(await s.listTriggerInstances({ type: 'network.bgp_peer_state_changed' })), ['t4', 't3', 't1']);
      assert.deepEqual(ids(await s.listTriggerInstances({ status: ['pending', 'processing'] })), ['t4', 't3', 't2']);
      assert.deepEqual(ids(await s.listTriggerInstances({ status: ['pending'], type: 'network.interface_down' })), ['t2']);
      assert.deepEqual(ids(await s.listTriggerInstances({ limit: 2, before: 't4' })), ['t3', 't2']);
      assert.deepEqual(ids(await s.listTriggerInstances({ status: [] })), []);
      // cross-source correlation: another sensor's view of t4 is stored as its duplicate
      await s.commit([{ op: 'putTriggerInstance', value: triggerInstance('t5', { status: 'processed', duplicateOf: 't4' }) }]);
      assert.deepEqual(ids(await s.listTriggerInstances({ duplicateOf: 't4' })), ['t5']);
      assert.equal((await s.getTriggerInstance('t5'))?.duplicateOf, 't4');
      assert.equal((await s.getTriggerInstance('t4'))?.duplicateOf, undefined, 'an event that duplicates nothing keeps its plain shape');

      assert.deepEqual(ids(await s.listEnforcements()), ['n3', 'n2', 'n1']);
      assert.deepEqual(ids(await s.listEnforcements({ triggerInstanceId: 't1' })), ['n2', 'n1']);
      assert.deepEqual(ids(await s.listEnforcements({ ruleRef: 'ops.log' })), ['n2']);
      assert.deepEqual(ids(await s.listEnforcements({ executionId: 'x2' })), ['n3']);
      assert.deepEqual(ids(await s.listEnforcements({ outcome: 'executed', limit: 1 })), ['n3']);
    });

    test('tasks in seq order, workflow states, kv by prefix with expiry', async () => {
      const { store: s } = await fresh();
      await s.commit([
        { op: 'putTask', value: task('k3', 'wf1', 2) },
        { op: 'putTask', value: task('k1', 'wf1', 0) },
        { op: 'putTask', value: task('k2', 'wf1', 1, { itemIndex: 4, dueAt: 1714557600000 }) },
        { op: 'putTask', value: task('k9', 'wf2', 0) },
        { op: 'putWorkflowState', value: workflowState('wf2', { kind: 'action-chain' }) },
        { op: 'putWorkflowState', value: workflowState('wf1') },
        { op: 'kvPut', value: keyValue('system', 'vxlan/vni/100') },
        { op: 'kvPut', value: keyValue('system', 'vxlan/vni/101') },
        { op: 'kvPut', value: keyValue('system', 'vxlan%/x') },
        { op: 'kvPut', value: keyValue('system', 'vxlan/vni/old', { expiresAt: '2000-01-01T00:00:00.000Z' }) },
        { op: 'kvPut', value: keyValue('user:alice', 'vxlan/vni/102') },
      ]);
      const tasks = await s.listTasks('wf1');
      assert.deepEqual(
        tasks.map((t) => t.id),
        ['k1', 'k2', 'k3'],
      );
      assert.equal(tasks[1]!.itemIndex, 4);
      assert.equal(tasks[1]!.dueAt, 1714557600000);
      assert.deepEqual(await s.listTasks('nope'), []);
      assert.deepEqual(
        (await s.listWorkflowStates()).map((w) => [w.executionId, w.kind]),
        [
          ['wf1', 'orquesta'],
          ['wf2', 'action-chain'],
        ],
      );
      assert.deepEqual(
        (await s.kvList('system', 'vxlan/')).map((k) => k.key),
        ['vxlan/vni/100', 'vxlan/vni/101'],
      );
      // The prefix is literal text, not a LIKE pattern.
      assert.deepEqual(
        (await s.kvList('system', 'vxlan%')).map((k) => k.key),
        ['vxlan%/x'],
      );
      assert.deepEqual(
        (await s.kvList('system')).map((k) => k.key),
        ['vxlan%/x', 'vxlan/vni/100', 'vxlan/vni/101'],
      );
      // An expired key is invisible even before prune removes it.
      assert.equal(await s.kvGet('system', 'vxlan/vni/old'), null);
      assert.ok(s.kv.peek('system', 'vxlan/vni/old', new Date('1999-01-01T00:00:00Z')));
    });
  });

  workQueueContract(backend, fresh);
}
