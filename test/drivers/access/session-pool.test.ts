import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Driver } from '../../../drivers/contract/cli.js';
import { sshDriverFactory } from '../../../drivers/access/open.js';
import { SessionPool, type Poolable } from '../../../drivers/access/session-pool.js';
import { staticResolver, type DeviceTarget } from '../../../drivers/access/targets.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../replay-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('session pool: CLI sessions kept open between uses (replayed IOS devices)', () => {
  const servers: ReplayServer[] = [];
  let knownHosts: string;

  before(async () => {
    for (const name of ['sw1', 'sw2', 'sw3']) {
      servers.push(
        await startReplayServer(
          ciscoLikeDevice(name, { 'show version': `${name} IOS`, 'show clock': '12:00:00' }, { delays: { 'show slow': 3000 }, dropOn: ['reload'] }),
        ),
      );
    }
    knownHosts = join(mkdtempSync(join(tmpdir(), 'nrx-pool-')), 'known_hosts');
    writeFileSync(knownHosts, servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}\n`).join(''));
  });
  after(async () => Promise.all(servers.map((s) => s.close())));

  const target = (i: number, pool: SessionPool, extra: Partial<DeviceTarget> = {}): DeviceTarget => ({
    name: `sw${i + 1}`,
    hostname: '127.0.0.1',
    port: servers[i]!.port,
    platform: 'cisco_ios',
    username: 'admin',
    password: 'secret-1',
    knownHostsFile: knownHosts,
    hostKeyPolicy: 'strict',
    commandTimeoutMs: 2000,
    sessions: pool,
    ...extra,
  });
  const on = <T>(t: DeviceTarget, work: (d: Driver) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    withDevice(staticResolver([t]), sshDriverFactory, t.name, signal, work);
  const show = async (t: DeviceTarget, command = 'show version'): Promise<string> => (await on(t, (d) => d.send([command])))[0]!.output;

  test('the second and later uses of a device reuse its session: one login, every answer right', async () => {
    const pool = new SessionPool();
    try {
      const logins = servers[0]!.sessions;
      for (let i = 0; i < 5; i++) assert.equal(await show(target(0, pool)), 'sw1 IOS');
      assert.equal(servers[0]!.sessions - logins, 1, 'one SSH login for five uses');
      assert.deepEqual(pool.counters, { opened: 1, reused: 4, expired: 0, evicted: 0, discarded: 0, overflow: 0 });
      assert.deepEqual(pool.size(), { busy: 0, idle: 1 });
    } finally {
      await pool.close();
    }
  });

  test('a session idle longer than idleMs is closed; the next use logs in again', async () => {
    const pool = new SessionPool({ idleMs: 100 });
    try {
      const logins = servers[0]!.sessions;
      await show(target(0, pool));
      await sleep(50);
      await show(target(0, pool));
      assert.equal(pool.counters.reused, 1, 'used again within idleMs');
      await sleep(250);
      assert.deepEqual(pool.size(), { busy: 0, idle: 0 });
      assert.equal(pool.counters.expired, 1);
      assert.equal(await show(target(0, pool)), 'sw1 IOS');
      assert.equal(servers[0]!.sessions - logins, 2);
    } finally {
      await pool.close();
    }
  });

  test('at maxSessions the session idle the longest makes room; with every session busy the extra one is not kept', async () => {
    const pool = new SessionPool({ maxSessions: 2 });
    try {
      await show(target(0, pool));
      await show(target(1, pool));
      await show(target(0, pool)); // sw1 is now the most recently used
      await show(target(2, pool)); // sw2 makes room
      assert.equal(pool.counters.evicted, 1);
      const logins = servers.map((s) => s.sessions);
      await show(target(0, pool));
      await show(target(2, pool));
      assert.deepEqual(
        servers.map((s, i) => s.sessions - logins[i]!),
        [0, 0, 0],
        'sw1 and sw3 kept',
      );
      await show(target(1, pool));
      assert.equal(servers[1]!.sessions - logins[1]!, 1, 'sw2 logs in again');
      assert.ok(pool.size().idle <= 2);

      // Two busy at once fill the pool: a third device's session is lent and closed after use.
      const hold = (i: number): Promise<unknown> => on(target(i, pool), async (d) => d.send(['show version', 'show clock']).then(() => sleep(150)));
      const overflowBefore = pool.counters.overflow;
      await Promise.all([hold(0), hold(1), sleep(50).then(() => show(target(2, pool)))]);
      assert.equal(pool.counters.overflow, overflowBefore + 1);
      assert.ok(pool.size().busy + pool.size().idle <= 2);
    } finally {
      await pool.close();
    }
  });

  test('a transport error drops the session for good; a command the device rejects does not', async () => {
    const pool = new SessionPool();
    try {
      const logins = servers[0]!.sessions;
      const [bad] = await on(target(0, pool), (d) => d.send(['show bogus']));
      assert.equal(bad!.failed, true);
      await show(target(0, pool));
      assert.equal(servers[0]!.sessions - logins, 1, 'a rejected command is data: the session stays');

      await assert.rejects(
        on(target(0, pool, { commandTimeoutMs: 200 }), (d) => d.send(['show slow'])),
        { code: 'NRX_ERR_DEVICE_TIMEOUT' },
      );
      assert.equal(pool.counters.discarded, 1);
      assert.equal(await show(target(0, pool)), 'sw1 IOS', 'the next use does not read the late answer of the timed-out command');
      assert.equal(servers[0]!.sessions - logins, 2);

      await assert.rejects(
        on(target(0, pool), (d) => d.send(['reload'])),
        { code: 'NRX_ERR_CONNECTION_LOST' },
      );
      assert.equal(await show(target(0, pool)), 'sw1 IOS');
      assert.equal(servers[0]!.sessions - logins, 3);
    } finally {
      await pool.close();
    }
  });

  test('a session the device closed while idle is never lent again', async () => {
    const pool = new SessionPool();
    const port = servers[2]!.port;
    try {
      await show(target(2, pool));
      await servers[2]!.close(); // drops every connection, as a device reload would
      servers[2] = await startReplayServer(ciscoLikeDevice('sw3', { 'show version': 'sw3 IOS again' }), { port });
      await sleep(50);
      assert.equal(await show(target(2, pool)), 'sw3 IOS again');
      assert.equal(pool.counters.reused, 0);
    } finally {
      await pool.close();
    }
  });

  test('a session left in config mode, or cancelled mid-command, is closed rather than lent', async () => {
    const pool = new SessionPool();
    try {
      const logins = servers[1]!.sessions;
      await on(target(1, pool), (d) => d.configure(['interface Gi0/1', 'description uplink']));
      await show(target(1, pool));
      assert.equal(servers[1]!.sessions - logins, 1, 'configure() leaves config mode: reused');

      await on(target(1, pool), (d) => d.send(['configure terminal']));
      assert.equal(pool.counters.discarded, 1, 'left in config mode: closed');

      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      await assert.rejects(on(target(1, pool), (d) => d.send(['show slow']), abort.signal));
      assert.equal(pool.counters.discarded, 2, 'cancelled mid-command: closed');
      assert.equal(await show(target(1, pool)), 'sw2 IOS');
      assert.equal(servers[1]!.sessions - logins, 3);
    } finally {
      await pool.close();
    }
  });

  test('one command at a time per session: concurrent sends on one driver are queued; concurrent users get sessions of their own', async () => {
    const pool = new SessionPool();
    try {
      const logins = servers[0]!.sessions;
      const [a, b] = await on(target(0, pool), (d) => Promise.all([d.send(['show version']), d.send(['show clock'])]));
      assert.equal(a![0]!.output, 'sw1 IOS');
      assert.equal(b![0]!.output, '12:00:00');
      const outputs = await Promise.all([show(target(0, pool)), show(target(0, pool), 'show clock')]);
      assert.deepEqual(outputs, ['sw1 IOS', '12:00:00']);
      assert.ok(servers[0]!.sessions - logins <= 2);
      assert.ok(pool.size().idle >= 1);
    } finally {
      await pool.close();
    }
  });

  test('different logins to the same device never share a session', async () => {
    const pool = new SessionPool();
    try {
      const logins = servers[0]!.sessions;
      await show(target(0, pool));
      await assert.rejects(show(target(0, pool, { password: 'wrong' })), { code: 'NRX_ERR_AUTH' });
      await show(target(0, pool, { enableSecret: 'other' }));
      assert.equal(servers[0]!.sessions - logins, 2);
    } finally {
      await pool.close();
    }
  });

  test('close() closes idle sessions now and busy ones when they come back; later uses are not kept', async () => {
    const pool = new SessionPool();
    await show(target(0, pool));
    let busyDone!: () => void;
    const busy = on(target(1, pool), (d) => d.send(['show version']).then(() => new Promise<void>((r) => (busyDone = r))));
    await sleep(300);
    await pool.close();
    assert.deepEqual(pool.size(), { busy: 1, idle: 0 });
    busyDone();
    await busy;
    assert.deepEqual(pool.size(), { busy: 0, idle: 0 });
    const logins = servers[0]!.sessions;
    assert.equal(await show(target(0, pool)), 'sw1 IOS');
    assert.deepEqual(pool.size(), { busy: 0, idle: 0 });
    assert.equal(servers[0]!.sessions - logins, 1);
  });
});

test('session pool bookkeeping without a network: failed opens take no room, bad settings are refused', async () => {
  const fake = (): Poolable & { closed: boolean } => {
    const s = {
      closed: false,
      get isOpen() {
        return !s.closed;
      },
      close: async () => void (s.closed = true),
    };
    return s;
  };
  const pool = new SessionPool({ maxSessions: 1 });
  await assert.rejects(
    pool.acquire('a', async () => {
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.deepEqual(pool.size(), { busy: 0, idle: 0 });
  const a = await pool.acquire('a', async () => fake());
  await a.release(true);
  await a.release(false); // a second release changes nothing
  assert.equal(a.session.closed, false);
  const again = await pool.acquire('a', async () => fake());
  assert.equal(again.reused, true);
  assert.equal(again.session, a.session);
  await again.release(true);
  await pool.close();
  assert.equal(a.session.closed, true);
  assert.throws(() => new SessionPool({ idleMs: -1 }), { code: 'NRX_ERR_CONFIG' });
  assert.throws(() => new SessionPool({ maxSessions: 0 }), { code: 'NRX_ERR_CONFIG' });
  const off = new SessionPool({ idleMs: 0 });
  const once = await off.acquire('a', async () => fake());
  await once.release(true);
  assert.equal(once.session.closed, true, 'idleMs 0: nothing is kept');
});
