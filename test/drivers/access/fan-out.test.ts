import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fanOut, summarise } from '../../../drivers/access/fan-out.js';
import { sshDriverFactory } from '../../../drivers/access/open.js';
import { staticResolver, type DeviceTarget } from '../../../drivers/access/targets.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import { ciscoLikeDevice, startReplayServer } from '../replay-server.js';

test('fan-out keeps order, honours the concurrency limit and turns throws into failed outcomes', async () => {
  let running = 0;
  let peak = 0;
  const devices = Array.from({ length: 50 }, (_, i) => `d${i}`);
  const seen: number[] = [];
  const outcomes = await fanOut(
    devices,
    async (d) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      if (d === 'd7' || d === 'd30') throw new Error(`${d} broke`);
      return d.toUpperCase();
    },
    { concurrency: 5, onOutcome: (_o, done) => seen.push(done) },
  );
  assert.equal(peak, 5);
  assert.deepEqual(
    outcomes.map((o) => o.device),
    devices,
  );
  assert.deepEqual(summarise(outcomes), { ok: 48, failed: 2 });
  const bad = outcomes[7]!;
  assert.ok(!bad.ok && bad.error.message === 'd7 broke');
  assert.equal(seen.length, 50);
});

test('fan-out over replayed SSH devices: every device answers, three fail with their own reasons', async () => {
  const servers = await Promise.all(Array.from({ length: 12 }, (_, i) => startReplayServer(ciscoLikeDevice(`sw${i}`, { 'show version': `sw${i} IOS` }))));
  try {
    const dir = mkdtempSync(join(tmpdir(), 'nrx-fan-'));
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}\n`).join(''));
    const targets: DeviceTarget[] = servers.map((s, i) => ({
      name: `sw${i}`,
      hostname: '127.0.0.1',
      port: s.port,
      platform: 'cisco_ios',
      username: 'admin',
      password: i === 3 ? 'wrong' : 'secret-1',
      knownHostsFile: knownHosts,
      hostKeyPolicy: 'strict',
    }));
    const closed = await startReplayServer(ciscoLikeDevice('gone'));
    await closed.close();
    targets.push({ ...targets[0]!, name: 'gone', port: closed.port });
    const resolver = staticResolver(targets);
    const names = [...targets.map((t) => t.name), 'not-in-inventory'];
    const outcomes = await fanOut(names, (name) => withDevice(resolver, sshDriverFactory, name, undefined, (d) => d.send(['show version'])), {
      concurrency: 4,
    });
    assert.deepEqual(summarise(outcomes), { ok: 11, failed: 3 });
    const byName = Object.fromEntries(outcomes.map((o) => [o.device, o]));
    const ok = byName.sw5!;
    assert.ok(ok.ok && ok.value[0]!.output === 'sw5 IOS');
    const codes = Object.fromEntries(outcomes.filter((o) => !o.ok).map((o) => [o.device, !o.ok ? o.error.code : '']));
    assert.deepEqual(codes, { sw3: 'NRX_ERR_AUTH', gone: 'NRX_ERR_DEVICE_UNREACHABLE', 'not-in-inventory': 'NRX_ERR_DEVICE_NOT_FOUND' });
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});
