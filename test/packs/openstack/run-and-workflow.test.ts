import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { cli } from '../../cli/cli-harness.js';

const FABRIC = path.resolve('test/packs/fixtures');

describe('openstack pack actions from a workflow and from `netreflex run`', () => {
  let root: string;
  let dataDir: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-openstack-'));
    dataDir = path.join(root, 'data');
    mkdirSync(path.join(dataDir, 'configs'), { recursive: true });
    writeFileSync(path.join(dataDir, 'configs', 'openstack.yaml'), 'vni_range:\n  first: 70000\n  last: 70009\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('an Orquesta workflow allocates a VNI and reads back which network holds it', async () => {
    const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [FABRIC] }, {}), log: silentLogger });
    await a.start();
    try {
      const rec = await a.engine.run('fabric.provision_network', { network_id: 'net-wf' });
      assert.equal(rec.status, 'succeeded', JSON.stringify(rec.error));
      assert.deepEqual(rec.result, { output: { vni: 70000, holder: 'net-wf' } });
    } finally {
      await a.stop();
    }
  });

  test('netreflex run allocates on the same data directory, answers the same VNI when asked again, and get_vni lists the mapping', async () => {
    const env = { XDG_CONFIG_HOME: path.join(root, 'xdg'), HOME: root };
    const run = async (...args: string[]) => {
      const r = await cli(['run', ...args, '--data-dir', dataDir, '--json'], env);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      return (JSON.parse(r.stdout) as { result: Record<string, unknown> }).result;
    };
    assert.deepEqual(pick(await run('openstack.allocate_vni', 'network_id=net-cli', 'name=web')), { state: 'allocated', vni: 70001, name: 'web' });
    assert.deepEqual(pick(await run('openstack.allocate_vni', 'network_id=net-cli')), { state: 'existing', vni: 70001, name: 'web' });
    const all = (await run('openstack.get_vni')).allocations as Array<{ network_id: string; vni: number }>;
    assert.deepEqual(
      all.map((x) => [x.network_id, x.vni]),
      [
        ['net-wf', 70000],
        ['net-cli', 70001],
      ],
    );
    assert.deepEqual(await run('openstack.release_vni', 'network_id=net-cli'), { state: 'released', network_id: 'net-cli', vnis: [70001] });

    const bad = await cli(['run', 'openstack.allocate_vni', 'network_id=a b', '--data-dir', dataDir, '--json'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout + bad.stderr, /NRX_ERR_PARAM_INVALID[\s\S]*network_id/);
  });
});

function pick(r: Record<string, unknown>): Record<string, unknown> {
  return { state: r.state, vni: r.vni, name: r.name };
}
