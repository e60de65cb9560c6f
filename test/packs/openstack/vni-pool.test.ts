import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SCOPE, VniPool, vniRangeOf } from '../../../packs/openstack/actions/lib/vni-pool.js';
import { codeOf, withDatastore } from '../../datastore/helpers.js';

const range = { first: 5000, last: 5049 };

describe('openstack VNI pool', () => {
  test('50 concurrent network creates get 50 different VNIs from the range; a 51st network finds the range exhausted', async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, range);
      const nets = Array.from({ length: 50 }, (_, i) => `net-${i}`);
      const outcomes = await Promise.all(nets.map((id) => pool.allocate(id)));
      const vnis = outcomes.map((o) => o.vni as number);
      assert.equal(new Set(vnis).size, 50, 'no VNI twice');
      assert.ok(
        vnis.every((v) => v >= range.first && v <= range.last),
        'all inside the range',
      );
      assert.ok(outcomes.every((o) => o.state === 'allocated'));
      // the datastore agrees: one claim per VNI, each naming the network that got it
      const claims = await kv.list(SCOPE, 'vni/');
      assert.equal(claims.length, 50);
      for (const o of outcomes) assert.equal((await kv.get(SCOPE, `vni/${o.vni}`))?.value, o.network_id);
      await assert.rejects(pool.allocate('net-50'), (e) => codeOf(e) === 'NRX_ERR_VNI_EXHAUSTED' && /5000-5049/.test((e as Error).message));
    });
  });

  test('a release that does not remember the network (a rolled-back provisioning) lets its next create allocate again', async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, range);
      const first = await pool.allocate('net-r');
      assert.deepEqual(await pool.release('net-r', { rememberDeleted: false }), { state: 'released', network_id: 'net-r', vnis: [first.vni as number] });
      assert.equal((await pool.allocate('net-r')).state, 'allocated');
      await pool.release('net-r');
      assert.equal((await pool.allocate('net-r')).state, 'deleted', 'a plain release still remembers the deleted network');
    });
  });

  test('the same create twice, also at the same moment, keeps one VNI; concurrent duplicates leave no stray claim', async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, range);
      const first = await pool.allocate('net-a', { name: 'web' });
      const again = await pool.allocate('net-a', { name: 'web' });
      assert.equal(first.state, 'allocated');
      assert.deepEqual({ ...again, state: 'allocated' }, first);
      assert.equal(again.state, 'existing');

      const racing = await Promise.all(Array.from({ length: 10 }, () => pool.allocate('net-b')));
      assert.equal(new Set(racing.map((o) => o.vni)).size, 1, 'one VNI for net-b whoever won');
      assert.deepEqual((await kv.list(SCOPE, 'vni/')).map((r) => r.value).sort(), ['net-a', 'net-b'], 'the losers gave their claims back');
    });
  });

  test('delete releases the VNI for the next network; delete twice, and delete before create, are harmless and a late create allocates nothing', async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, { first: 7000, last: 7001 });
      const a = await pool.allocate('net-a');
      assert.equal(a.vni, 7000);
      assert.deepEqual(await pool.release('net-a'), { state: 'released', network_id: 'net-a', vnis: [7000] });
      assert.deepEqual(await pool.release('net-a'), { state: 'not_allocated', network_id: 'net-a', vnis: [] });
      assert.equal(await pool.lookup('net-a'), null);
      assert.deepEqual(await pool.allocate('net-a'), { state: 'deleted', network_id: 'net-a', vni: null }, 'a replayed create of a deleted network');
      assert.equal((await pool.allocate('net-b')).vni, 7000, 'the released VNI is free again');

      assert.equal((await pool.release('net-c')).state, 'not_allocated', 'delete arriving before its create');
      assert.equal((await pool.allocate('net-c')).state, 'deleted');
      assert.equal((await pool.allocate('net-d')).vni, 7001, 'net-c took nothing');
    });
  });

  test('a delete racing its create leaves the network without a VNI either way', async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, range);
      for (let i = 0; i < 10; i++) {
        const id = `net-${i}`;
        await Promise.all([pool.allocate(id), pool.release(id)]);
        assert.equal(await pool.lookup(id), null, `${id}: no mapping`);
      }
      assert.deepEqual(await kv.list(SCOPE, 'vni/'), [], 'no VNI held by a deleted network');
    });
  });

  test("Neutron's own segmentation id is taken when free and refused when another network holds it", async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, range);
      assert.equal((await pool.allocate('net-a', { wanted: 5020 })).vni, 5020);
      await assert.rejects(
        pool.allocate('net-b', { wanted: 5020 }),
        (e) => codeOf(e) === 'NRX_ERR_CONFLICT' && /held by network net-a/.test((e as Error).message),
      );
      assert.equal((await pool.allocate('net-b')).vni, 5000);
      assert.deepEqual(
        (await pool.list()).map((a) => [a.vni, a.network_id]),
        [
          [5000, 'net-b'],
          [5020, 'net-a'],
        ],
      );
      assert.equal((await pool.holderOf(5020))?.network_id, 'net-a');
    });
  });

  test('an allocation interrupted between its two writes is finished by the next create of that network, or given back by its delete', async () => {
    await withDatastore(async ({ kv }) => {
      const pool = new VniPool(kv, range);
      await kv.set(SCOPE, 'vni/5003', 'net-x'); // claim written, mapping not: the process died in between
      await kv.set(SCOPE, 'vni/5004', 'net-y');
      assert.equal((await pool.allocate('net-x')).vni, 5003);
      assert.deepEqual((await pool.release('net-y')).vnis, [5004]);
      assert.equal(await kv.get(SCOPE, 'vni/5004'), null);
    });
  });

  test('vni_range from the pack config: a bad range names the field', () => {
    assert.deepEqual(vniRangeOf({ vni_range: { first: 1, last: 16777215 } }), { first: 1, last: 16777215 });
    const field = (config: Record<string, unknown>): string | undefined => {
      try {
        vniRangeOf(config);
        return undefined;
      } catch (e) {
        assert.equal(codeOf(e), 'NRX_ERR_CONFIG');
        assert.match((e as Error).message, /pack openstack/);
        return (e as { location?: { field?: string } }).location?.field;
      }
    };
    assert.equal(field({}), 'vni_range');
    assert.equal(field({ vni_range: { first: 0, last: 10 } }), 'vni_range.first');
    assert.equal(field({ vni_range: { first: 1, last: 16777216 } }), 'vni_range.last');
    assert.equal(field({ vni_range: { first: 1.5, last: 10 } }), 'vni_range.first');
    assert.equal(field({ vni_range: { first: 20, last: 10 } }), 'vni_range.first');
  });
});
