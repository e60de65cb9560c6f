import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';
import { linuxUserOf, OVERLAY_LEAVES, startOverlay, vmNetns } from './overlay.js';
import { run } from './run.js';
import { clientKey } from './ssh.js';

const skip = labGuard();

describe('the lab overlay (VMs behind the leaves, the leaves Linux side)', { skip, timeout: 600_000 }, () => {
  let lab: Lab | undefined;
  after(async () => {
    await lab?.down();
  });

  test('no path between the VMs until a segment is configured; a lab taken down without stopping the overlay (a crash) leaves none of it behind', async () => {
    lab = await labUp();
    const overlay = await startOverlay(lab.dir, await clientKey(lab.dir));
    assert.deepEqual(
      overlay.vms.map((v) => [v.name, v.address]),
      [
        ['vm1', '10.100.0.1'],
        ['vm2', '10.100.0.2'],
      ],
    );
    assert.equal(await overlay.ping('vm1', '10.100.0.2'), false);
    // the login lands in a shell in the leaf's namespace, where sudo runs `ip link` and `bridge fdb` and nothing else
    const l = overlay.leaves[0]!;
    const ssh = (cmd: string) =>
      run(
        'ssh',
        [
          '-i',
          l.privateKeyPath,
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'LogLevel=ERROR',
          `${l.username}@${l.host}`,
          cmd,
        ],
        {
          allowFail: true,
        },
      );
    assert.match((await ssh('sudo -n ip link show dev br-hosts')).stdout, /br-hosts: <[^>]*\bUP\b/);
    for (const refused of ['sudo -n id', 'sudo -n ip netns exec nrxlab-leaf1 id', 'sudo -n ip -batch /dev/null'])
      assert.match((await ssh(refused)).stderr, /a password is required/, refused);
    assert.match((await ssh("vtysh -c 'show ip bgp summary'")).stdout, /local AS number 65001/);

    const report = await lab.down();
    lab = undefined;
    assert.ok(report.links.includes(vmNetns('vm1')), JSON.stringify(report));
    for (const o of OVERLAY_LEAVES) {
      assert.equal(existsSync(`/run/netns/${vmNetns(o.vm)}`), false);
      assert.notEqual((await run('id', ['-u', linuxUserOf(o.leaf)], { allowFail: true })).code, 0, `user ${linuxUserOf(o.leaf)} removed`);
      assert.equal(existsSync(`/etc/sudoers.d/nrxlab-${o.leaf}-linux`), false);
    }
    assert.doesNotMatch((await run('ip', ['-o', 'link', 'show'])).stdout, /nrxlab-leaf\d-m[@:]/);
  });
});
