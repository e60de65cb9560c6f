import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDriver, type DeviceConnection } from '../../drivers/connect.js';
import type { Driver } from '../../drivers/contract/cli.js';
import type { BgpNeighbor } from '../../drivers/contract/getters.js';
import { labGuard } from './guard.js';
import { labUp, type Lab, type LabRouter } from './lab.js';

const skip = labGuard();

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last !== undefined) return last as T;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('FRR over SSH: the CLI driver against a real router', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let leaf1: LabRouter;
  let conn: DeviceConnection;

  before(async () => {
    lab = await labUp();
    leaf1 = lab.routers.find((r) => r.name === 'leaf1')!;
    const knownHosts = join(mkdtempSync(join(tmpdir(), 'nrx-frr-')), 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${leaf1.ssh.port} ${leaf1.ssh.hostPublicKey}\n`);
    conn = {
      device: 'leaf1',
      host: leaf1.ssh.host,
      port: leaf1.ssh.port,
      username: leaf1.ssh.username,
      password: leaf1.ssh.password,
      platform: 'frr',
      knownHostsFile: knownHosts,
      hostKeyPolicy: 'strict',
    };
    await lab.waitEstablished('leaf1', undefined, 60_000);
  });
  after(async () => lab?.down());

  test('reads BGP neighbors, shuts one in config mode, sees Idle (Admin), restores it and sees Established', async () => {
    const d: Driver = cliDriver(conn);
    try {
      await d.connect();
      const before = await d.getBgpNeighbors();
      for (const n of leaf1.neighbors) {
        const seen = before.neighbors.find((x) => x.peer === n.address);
        assert.ok(seen, `neighbor ${n.address} (${n.name}) in the getter's model`);
        assert.equal(seen.remoteAs, n.asn);
        assert.equal(seen.state, 'established');
        assert.equal(seen.adminDown, false);
        assert.equal(typeof seen.prefixesReceived, 'number');
      }
      const peer = leaf1.neighbors[0]!;
      const shut = await d.configure([`router bgp ${leaf1.asn}`, `neighbor ${peer.address} shutdown`]);
      assert.equal(shut.failed, false, JSON.stringify(shut.results));
      const down = await until<BgpNeighbor>('peer idle/adminDown', 10_000, async () =>
        (await d.getBgpNeighbors()).neighbors.find((n) => n.peer === peer.address && n.state === 'idle' && n.adminDown),
      );
      assert.equal(down.prefixesReceived, undefined);
      assert.match(await lab.vtysh('leaf1', 'show ip bgp summary'), /Idle \(Admin\)/, 'vtysh agrees');

      const rejected = await d.configure([`router bgp ${leaf1.asn}`, 'neighbor bogus-words here']);
      assert.equal(rejected.failed, true, 'a line FRR rejects is a failed result, not an exception');
      assert.match(rejected.results[1]!.failureReason ?? '', /^%/);

      const restore = await d.configure([`router bgp ${leaf1.asn}`, `no neighbor ${peer.address} shutdown`]);
      assert.equal(restore.failed, false);
      await until('peer established again', 60_000, async () =>
        (await d.getBgpNeighbors()).neighbors.find((n) => n.peer === peer.address && n.state === 'established'),
      );
    } finally {
      await d.close();
    }
  });

  test('key authentication, facts and interfaces from the same router; a wrong password is NRX_ERR_AUTH', async () => {
    const { password: _unused, ...withoutPassword } = conn;
    const d = cliDriver({ ...withoutPassword, privateKey: readFileSync(leaf1.ssh.privateKeyPath) });
    try {
      const facts = await d.getFacts();
      assert.equal(facts.vendor, 'FRRouting');
      assert.equal(facts.hostname, 'leaf1');
      assert.match(facts.osVersion ?? '', /^\d+\.\d+/);
      const ifs = await d.getInterfaces();
      assert.ok(ifs.interfaces.some((i) => i.name === 'lo' && i.operUp));
      const [bad] = await d.send(['show bogus']);
      assert.equal(bad!.failed, true);
      assert.match(bad!.failureReason!, /% Unknown command/);
    } finally {
      await d.close();
    }
    await assert.rejects(cliDriver({ ...conn, password: 'not-the-password' }).connect(), (e: { code: string }) => e.code === 'NRX_ERR_AUTH');
  });
});
