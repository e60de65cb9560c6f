import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../drivers/replay-server.js';
import { cli, liveAppliance, type LiveAppliance } from './cli-harness.js';

/**
 * One appliance, one inventory: `netreflex exec` logged in to an appliance runs there (its
 * inventory, credentials and known hosts, per-device results streamed as they finish), creates
 * no data directory in the operator's home, and leaves the stored inventory alone.
 */
describe('netreflex exec through the appliance', () => {
  let live: LiveAppliance;
  let servers: Record<string, ReplayServer>;
  let adminKey: string;
  let observerKey: string;
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-exec-'));
  const home = path.join(tmp, 'home');
  const env = (key: string): Record<string, string> => ({
    NETREFLEX_URL: live.url,
    NETREFLEX_API_KEY: key,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NO_COLOR: '1',
  });
  const asAdmin = (...args: string[]) => cli(['exec', ...args], env(adminKey));

  before(async () => {
    mkdirSync(home);
    live = await liveAppliance();
    // leaf1 answers slowly: its result comes last although it is first in the inventory
    servers = {
      leaf1: await startReplayServer(ciscoLikeDevice('leaf1', { 'show version': 'leaf1 IOS 15.2' }, { delays: { 'show version': 700 } })),
      leaf2: await startReplayServer(ciscoLikeDevice('leaf2', { 'show version': 'leaf2 IOS 15.2' })),
      spine1: await startReplayServer(ciscoLikeDevice('spine1', { 'show version': 'spine1 IOS 15.2' })),
    };
    writeFileSync(
      path.join(live.dataDir, 'known_hosts'),
      Object.values(servers)
        .map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}\n`)
        .join(''),
    );
    await live.appliance.credentials.set('lab', { username: 'admin', password: 'secret-1' });
    for (const [name, s] of Object.entries(servers))
      await live.appliance.inventory.putHost({
        name,
        hostname: '127.0.0.1',
        port: s.port,
        platform: 'cisco_ios',
        credential: 'lab',
        data: { role: name.startsWith('leaf') ? 'leaf' : 'spine' },
      });
    adminKey = (await live.auth.createApiKey({ user: 'admin', role: 'admin', grants: {} })).key;
    observerKey = (await live.auth.createApiKey({ user: 'admin', role: 'admin', grants: {} }, { role: 'observer' })).key;
  });
  after(async () => {
    await live.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
    rmSync(tmp, { recursive: true, force: true });
  });

  test("logged in, exec --on role=leaf runs on the appliance's devices and creates no ~/.netreflex", async () => {
    const r = await asAdmin('show version', '--on', 'role=leaf');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /== leaf1 \(cisco_ios\) show version\nleaf1 IOS 15\.2/);
    assert.match(r.stdout, /== leaf2 \(cisco_ios\) show version\nleaf2 IOS 15\.2/);
    assert.doesNotMatch(r.stdout, /spine1/);
    assert.match(r.stdout, /2 ok, 0 failed/);
    assert.equal(existsSync(path.join(home, '.netreflex')), false, 'no data directory appears in the home directory');
  });

  test('--on leaf1,spine1 and "name in (..)" are lists of names; role:leaf is refused showing role=leaf', async () => {
    const list = await asAdmin('show version', '--on', 'leaf2,spine1', '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ device: string; ok: boolean }>).map((d) => [d.device, d.ok]),
      [
        ['leaf2', true],
        ['spine1', true],
      ],
    );
    const inList = await asAdmin('show version', '--on', 'name in (leaf2, spine1)', '--json');
    assert.equal((JSON.parse(inList.stdout) as unknown[]).length, 2);
    const colon = await asAdmin('show version', '--on', 'role:leaf');
    assert.equal(colon.code, 2);
    assert.match(colon.stderr, /NRX_ERR_FILTER_INVALID.*write role=leaf/);
    const none = await asAdmin('show version', '--on', 'role=border');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /NRX_ERR_DEVICE_NOT_FOUND: no inventory device matches "role=border"/);
  });

  test('the API streams each device as it finishes (start, device..., end); a rejected command fails that device only', async () => {
    const res = await fetch(`${live.url}/api/v1/inventory/exec`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': adminKey },
      body: JSON.stringify({ what: 'show version', on: 'role=leaf or role=spine' }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const messages = (await res.text())
      .split('\n\n')
      .filter((b) => b.startsWith('event:'))
      .map((b) => ({ event: /^event: (\S+)/.exec(b)![1], data: JSON.parse(/\ndata: (.*)/.exec(b)![1]!) as Record<string, unknown> }));
    assert.deepEqual(
      messages.map((m) => (m.event === 'device' ? `device:${m.data.device}` : m.event)),
      ['start', 'device:leaf2', 'device:spine1', 'device:leaf1', 'end'],
      'the slow leaf1 arrives last: results are sent as devices finish, not at the end',
    );
    assert.deepEqual(messages[0]!.data.devices, ['leaf1', 'leaf2', 'spine1']);
    assert.deepEqual(messages.at(-1)!.data, { ok: 3, failed: 0 });

    const bad = await asAdmin('show bogus', '--on', 'leaf2,spine1');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /leaf2\s+failed\s+\d+\s+NRX_ERR_COMMAND_REJECTED/);
    const audit = await live.auth.audit.list({ limit: 10 });
    assert.ok(
      audit.some((a) => a.route === '/api/v1/inventory/exec' && a.status === 200 && a.target === 'leaf2,spine1'),
      'the run is audited when its stream ends',
    );
  });

  test('an observer may not exec, nor an operator outside its inventory grant (exit 4); options that only mean something locally are refused through the API', async () => {
    const denied = await cli(['exec', 'show version', '--on', 'leaf2'], env(observerKey));
    assert.equal(denied.code, 4);
    // an operator granted the spines only cannot reach a leaf through a filter
    await live.auth.createUser({ name: 'spine-op', password: 'spine-op-password', role: 'operator', grants: { inventory: 'role=spine' } });
    const spineKey = (await live.auth.createApiKey({ user: 'spine-op', role: 'operator', grants: { inventory: 'role=spine' } })).key;
    const outside = await cli(['exec', 'show version', '--on', 'leaf2,spine1'], env(spineKey));
    assert.equal(outside.code, 4, outside.stderr);
    assert.match(outside.stderr, /NRX_ERR_FORBIDDEN.*leaf2/);
    assert.equal((await cli(['exec', 'show version', '--on', 'spine1'], env(spineKey))).code, 0);
    const inv = await asAdmin('show version', '--on', 'leaf2', '--inventory', tmp);
    assert.equal(inv.code, 2);
    assert.match(inv.stderr, /--inventory: only with a data directory .*netreflex inventory import --yaml DIR/);
  });

  test('with a data directory: --inventory DIR is used for this run only; a missing data directory is not created', async () => {
    const dir = path.join(tmp, 'yaml');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'hosts.yaml'),
      `edge9:\n  hostname: 127.0.0.1\n  port: ${servers.spine1!.port}\n  platform: cisco_ios\n  credential: lab\n  data: { role: edge }\n`,
    );
    const local = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NO_COLOR: '1' };
    // edge9 is spine1's server under another name: its known_hosts entry is the same address and port
    const r = await cli(['exec', 'show version', '--on', 'role=edge', '--data-dir', live.dataDir, '--inventory', dir], local);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /== edge9 \(cisco_ios\) show version\nspine1 IOS/);
    assert.match(r.stderr, /for this run; the stored inventory is unchanged/);
    assert.deepEqual((await live.appliance.inventory.listHosts()).map((h) => h.name).sort(), ['leaf1', 'leaf2', 'spine1']);

    const nowhere = path.join(tmp, 'no-such-dir');
    const missing = await cli(['exec', 'show version', '--on', 'role=leaf', '--data-dir', nowhere], local);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no data directory at .*no-such-dir.*does not create one/);
    assert.equal(existsSync(nowhere), false);
  });

  test('inventory import --yaml says which stored hosts it replaced', async () => {
    const dir = path.join(tmp, 'import');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'hosts.yaml'),
      `leaf1:\n  hostname: 127.0.0.1\n  port: ${servers.leaf1!.port}\n  platform: cisco_ios\n  credential: lab\n  data: { role: leaf }\nnew1:\n  hostname: 192.0.2.1\n`,
    );
    const r = await cli(['inventory', 'import', '--yaml', dir], env(adminKey));
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /imported 2 host\(s\), 0 group\(s\) from .*import\nreplaced the stored inventory: removed 2 host\(s\): leaf2, spine1\nadded 1 host\(s\): new1/,
    );
  });
});
