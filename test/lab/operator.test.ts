import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';

const skip = labGuard();
const MAIN = path.resolve('src/cli/main.ts');

describe('the operator against the lab: netreflex exec over the inventory', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let dataDir: string;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NETREFLEX_DATA_DIR: dataDir, NO_COLOR: '1' },
      timeout: 120_000,
    });

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-exec-'));
    lab = await labUp();
    await lab.waitEstablished('leaf1', undefined, 60_000);
    await lab.waitEstablished('leaf2', undefined, 60_000);
    const c = cli('credential', 'import', lab.credentialsPath);
    assert.equal(c.status, 0, c.stderr);
  });
  after(async () => {
    await lab?.down();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('exec "show ip bgp summary" --on role=leaf prints a parsed table for every leaf', () => {
    const r = cli('exec', 'show ip bgp summary', '--on', 'role=leaf', '--inventory', lab.inventoryDir, '--known-hosts', lab.knownHostsPath);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const leaf of ['leaf1', 'leaf2']) assert.match(r.stdout, new RegExp(`== ${leaf} \\(frr\\) show ip bgp summary\\nPEER\\s+REMOTEAS\\s+STATE`));
    assert.doesNotMatch(r.stdout, /== spine1/);
    assert.match(r.stdout, /10\.0\.1\.1\s+65000\s+established/);
    assert.match(r.stdout, /2 ok, 0 failed/);
  });

  test('--json gives the getter model per device; a rejected command fails per device with exit 1', () => {
    const j = cli('exec', 'bgp_neighbors', '--on', 'site=lab', '--inventory', lab.inventoryDir, '--known-hosts', lab.knownHostsPath, '--json');
    assert.equal(j.status, 0, j.stderr);
    const out = JSON.parse(j.stdout) as Array<{ device: string; ok: boolean; model: { neighbors: Array<{ state: string }> } }>;
    assert.deepEqual(out.map((o) => o.device).sort(), ['leaf1', 'leaf2', 'spine1']);
    assert.ok(out.every((o) => o.ok && o.model.neighbors.every((n) => n.state === 'established')));
    const bad = cli('exec', 'show bogus', '--on', 'role=leaf', '--inventory', lab.inventoryDir, '--known-hosts', lab.knownHostsPath);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /leaf1\s+failed.*NRX_ERR_COMMAND_REJECTED.*% Unknown command/);
  });

  test('an unknown host key is refused (strict by default), naming the device and the key', () => {
    const r = cli('exec', 'show version', '--on', 'name=leaf1', '--inventory', lab.inventoryDir);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /leaf1\s+failed.*NRX_ERR_HOSTKEY_UNKNOWN/);
  });

  test('the network pack: one action over an inventory filter returns a result per device, failures as data', async () => {
    const a = new Appliance({ config: loadConfig({ dataDir }, {}), log: silentLogger, knownHostsFile: lab.knownHostsPath });
    await a.start();
    try {
      // exec --inventory used the folder for its runs only: the appliance's inventory is imported explicitly
      assert.deepEqual((await a.inventory.loadYaml(lab.inventoryDir)).errors, []);
      const ok = await a.engine.run('network.get_bgp_neighbors', { on: 'site=lab' });
      assert.equal(ok.status, 'succeeded', JSON.stringify(ok.error));
      const r = ok.result as { ok: number; failed: number; devices: Array<{ device: string; ok: boolean; result: { neighbors: Array<{ state: string }> } }> };
      assert.equal(r.ok, 3);
      assert.ok(r.devices.every((d) => d.result.neighbors.every((n) => n.state === 'established')));
      const bad = await a.engine.run('network.show', { on: 'role=leaf', commands: ['show bogus'] });
      assert.equal(bad.status, 'failed');
      const b = bad.result as { ok: number; failed: number; devices: Array<{ device: string; ok: boolean; error: { code: string } }> };
      assert.deepEqual([b.ok, b.failed], [0, 2]);
      assert.ok(b.devices.every((d) => d.error.code === 'NRX_ERR_COMMAND_REJECTED'));
    } finally {
      await a.stop();
    }
  });
});
