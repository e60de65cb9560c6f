import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDriver } from '../../drivers/connect.js';
import type { Driver } from '../../drivers/contract/cli.js';
import { createSocket } from 'node:dgram';
import { decodeTrap } from '../../src/sensors/snmptrap/message.js';
import { normaliseTrap } from '../../src/sensors/snmptrap/normalise.js';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';
import { LAG_SWITCH_ADDRESS, startLagSwitch, type LagSwitch } from './lag-switch.js';
import { run, waitFor } from './run.js';

const skip = labGuard();

async function pingH1toH2(): Promise<boolean> {
  return (await run('ip', ['netns', 'exec', 'nrxlab-h1', 'ping', '-c', '2', '-i', '0.2', '-W', '1', '10.0.50.2'], { allowFail: true })).code === 0;
}

describe('the lab LAG as a switch: SSH login, switch CLI, openvswitch driver, member traps', { skip, timeout: 240_000 }, () => {
  let lab: Lab;
  let sw: LagSwitch;
  const traps: Array<{ from: string; type: string; iface: unknown }> = [];
  const trapSock = createSocket('udp4');
  let driver: Driver;
  let dir: string;

  before(async () => {
    trapSock.on('message', (d, rinfo) => {
      const e = normaliseTrap(decodeTrap(d), { sourceAddress: rinfo.address });
      traps.push({ from: rinfo.address, type: e.type, iface: e.payload.interface });
    });
    await new Promise<void>((r) => trapSock.bind(0, '127.0.0.1', () => r()));
    lab = await labUp();
    sw = await startLagSwitch(lab, { trapPort: trapSock.address().port });
    dir = mkdtempSync(join(tmpdir(), 'nrx-lagsw-'));
    writeFileSync(join(dir, 'known_hosts'), `${sw.knownHostsLine}\n`);
    driver = cliDriver({
      device: sw.name,
      host: sw.address,
      port: sw.port,
      username: sw.username,
      password: sw.password,
      platform: 'openvswitch',
      knownHostsFile: join(dir, 'known_hosts'),
      hostKeyPolicy: 'strict',
    });
  });
  after(async () => {
    await driver?.close();
    await lab?.down();
    trapSock.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('lag_members reads bond A: both members up under LACP, with their share of the bytes', async () => {
    const { members } = await driver.getLagMembers();
    assert.deepEqual(
      members.map((m) => [m.lag, m.member, m.up, m.adminUp, m.protocol]),
      [
        ['bondA', 'lagx1-a', true, true, 'LACP'],
        ['bondA', 'lagx2-a', true, true, 'LACP'],
      ].filter((row) => members.some((m) => m.member === row[1])),
    );
    assert.equal(members.length, 2);
    const shares = members.map((m) => m.loadPercent ?? 0);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.5, `shares add up to 100: ${shares.join(', ')}`);
  });

  test("an unknown command and an unknown port are refused in the device's words", async () => {
    const [bogus, noPort] = await driver.send(['show bogus', 'show lag bondZ']);
    assert.equal(bogus!.failed, true);
    assert.match(bogus!.failureReason ?? '', /Unknown command: show bogus/);
    assert.equal(noPort!.failed, true);
    const r = await driver.configure(['interface nosuch0', 'shutdown']);
    assert.equal(r.failed, true);
  });

  test('shutdown takes a member out of the real bond, the other carries h1 -> h2; no shutdown brings it back', async () => {
    const r = await driver.configure(['interface lagx1-a', 'shutdown']);
    assert.equal(r.failed, false, JSON.stringify(r.results));
    await waitFor(
      'lagx1-a disabled in bond/show',
      async () => /member lagx1-a: disabled/.test((await lab.ovs.appctl('bond/show', 'bondA')).stdout),
      10_000,
      100,
    );
    const seen = await driver.getLagMembers();
    assert.deepEqual(
      seen.members.map((m) => [m.member, m.up, m.adminUp]),
      [
        ['lagx1-a', false, false],
        ['lagx2-a', true, true],
      ],
    );
    assert.ok(await pingH1toH2(), 'h1 pings h2 over lagx2');
    // the partner side coming back does not undo an admin shutdown
    await lab.fault.lagMemberDown('lagx1');
    await lab.fault.lagMemberUp('lagx1');
    await new Promise((res) => setTimeout(res, 1500));
    assert.match((await lab.ovs.appctl('bond/show', 'bondA')).stdout, /member lagx1-a: disabled/);
    await driver.configure(['interface lagx1-a', 'no shutdown']);
    await waitFor('lagx1-a enabled again', async () => /member lagx1-a: enabled/.test((await lab.ovs.appctl('bond/show', 'bondA')).stdout), 15_000, 100);
  });

  test('a member going down sends a linkDown trap from the switch address naming the member; up sends linkUp', async () => {
    // A trap is an edge between two of snmpd's polls (its ifTable is cached a few seconds): if the
    // last one it sent for the member said down (the shutdown above), it must see it up first.
    await waitFor(
      'snmpd seeing lagx1-a up',
      () => traps.filter((t) => t.iface === 'lagx1-a').at(-1)?.type !== 'network.interface_down' || undefined,
      15_000,
      50,
    );
    const mark = traps.length;
    const seen = (type: string) => () => traps.slice(mark).find((t) => t.type === type && t.iface === 'lagx1-a');
    await lab.fault.lagMemberDown('lagx1');
    const down = await waitFor('linkDown trap for lagx1-a', seen('network.interface_down'), 10_000, 50);
    assert.equal(down.from, LAG_SWITCH_ADDRESS);
    await lab.fault.lagMemberUp('lagx1');
    await waitFor('linkUp trap for lagx1-a', seen('network.interface_up'), 10_000, 50);
    assert.ok(
      traps.slice(mark).every((t) => t.iface === 'lagx1-a'),
      `only the member's traps: ${JSON.stringify(traps.slice(mark))}`,
    );
  });
});
