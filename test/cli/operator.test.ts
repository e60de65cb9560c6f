import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeEvent } from '../../src/events/envelope.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { cli, liveAppliance, type LiveAppliance } from './cli-harness.js';

/**
 * The "Done means", through the real CLI against a real API on a free port: a newcomer
 * logs in with the printed credential, imports an inventory, previews a filter, runs an action
 * and tails it, is refused (exit 4) as an observer; secrets set with --encrypt are ciphertext
 * in the SQLite file.
 */
describe('netreflex operator CLI over the API', () => {
  let live: LiveAppliance;
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-op-'));
  const adminHome = path.join(tmp, 'admin-home');
  const observerHome = path.join(tmp, 'observer-home');
  // as admin: the URL and token come from the config file login wrote, nothing else
  const asAdmin = (args: string[], input?: string) => cli(args, { XDG_CONFIG_HOME: adminHome, NO_COLOR: '1' }, input);
  const asObserver = (args: string[]) => cli(args, { XDG_CONFIG_HOME: observerHome, NO_COLOR: '1' });
  const json = <T = unknown>(r: { stdout: string; stderr: string; code: number | null }): T => {
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  before(async () => {
    live = await liveAppliance();
    await live.auth.createUser({ name: 'watcher', password: 'watcher-password', role: 'observer' });
  });
  after(async () => {
    await live.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('login with the printed admin credential keeps URL and token in a 0600 config file; whoami reads it', async () => {
    const r = await cli(['login', '--url', live.url, '--user', 'admin'], { XDG_CONFIG_HOME: adminHome, NETREFLEX_PASSWORD: live.adminPassword });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /logged in to http:\/\/127\.0\.0\.1:\d+ as admin \(admin\)/);
    const file = path.join(adminHome, 'netreflex', 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.url, live.url);
    assert.match(saved.token, /.{20,}/);
    assert.ok(!JSON.stringify(saved).includes(live.adminPassword), 'the password is never saved');
    const me = json<{ user: string; role: string }>(await asAdmin(['whoami', '--json']));
    assert.deepEqual([me.user, me.role], ['admin', 'admin']);
  });

  test('a wrong password exits 3 and saves nothing; the password can come on stdin', async () => {
    const home = path.join(tmp, 'wrong-home');
    const bad = await cli(['login', '--url', live.url], { XDG_CONFIG_HOME: home, NETREFLEX_PASSWORD: 'not-the-password' });
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /NRX_ERR_UNAUTHORIZED/);
    assert.equal(existsSync(path.join(home, 'netreflex', 'config.json')), false);
    const piped = await cli(['login', '--url', live.url, '--user', 'watcher'], { XDG_CONFIG_HOME: observerHome }, 'watcher-password\n');
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(json<{ role: string }>(await asObserver(['whoami', '--json'])).role, 'observer');
  });

  test('inventory import from a YAML folder and from the NetBox fixture, then ls, show and preview a filter', async () => {
    const inv = path.join(tmp, 'inventory');
    mkdirSync(inv);
    writeFileSync(
      path.join(inv, 'groups.yaml'),
      'dc1:\n  platform: frr\n  data: { site: dc1 }\ndc2:\n  data: { site: dc2 }\nleaves:\n  data: { role: leaf }\nspines:\n  data: { role: spine }\n',
    );
    writeFileSync(
      path.join(inv, 'hosts.yaml'),
      [
        'dc1-leaf1:',
        '  hostname: 10.1.1.1',
        '  groups: [dc1, leaves]',
        'dc1-leaf2:',
        '  hostname: 10.1.1.2',
        '  groups: [dc1, leaves]',
        'dc1-spine1:',
        '  hostname: 10.1.0.1',
        '  groups: [dc1, spines]',
        'dc2-leaf1:',
        '  hostname: 10.2.1.1',
        '  groups: [dc2, leaves]',
        '',
      ].join('\n'),
    );
    const y = await asAdmin(['inventory', 'import', '--yaml', inv]);
    assert.equal(y.code, 0, y.stderr);
    assert.match(y.stdout, /imported 4 host\(s\), 4 group\(s\)/);
    // the fixture's 11 devices: the 4 with a primary IP are manageable hosts, the rest are reported
    const nb = json<{ hosts: number; errors: unknown[] }>(
      await asAdmin(['inventory', 'import', path.resolve('test/inventory/fixtures/netbox/dcim_devices.json'), '--json']),
    );
    assert.equal(nb.hosts, 4);
    const hosts = json<Array<{ name: string; platform: string | null }>>(await asAdmin(['inventory', 'ls', '--json']));
    assert.ok(
      hosts.some((h) => h.name === 'dc1-leaf1' && h.platform === 'frr'),
      'group inheritance applied',
    );
    assert.ok(
      hosts.some((h) => h.name === 'test1-core1'),
      'NetBox devices imported',
    );
    assert.equal(hosts.length, 8);
    const preview = json<{ count: number; names: string[] }>(await asAdmin(['inventory', 'preview', '--filter', 'site=dc1 and role=leaf', '--json']));
    assert.deepEqual(preview.names, ['dc1-leaf1', 'dc1-leaf2']);
    const table = await asAdmin(['inventory', 'preview', 'site=dc1 and not role=leaf']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^1 device\(s\) match/);
    assert.match(table.stdout, /dc1-spine1\s+10\.1\.0\.1\s+frr\s+dc1\s+spine/);
    const show = await asAdmin(['inventory', 'show', 'dc1-leaf2']);
    assert.match(show.stdout, /hostname:\s+10\.1\.1\.2/);
    const bad = await asAdmin(['inventory', 'preview', '--filter', 'site=dc1 and (']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /NRX_ERR_FILTER_INVALID/);
    assert.equal((await asAdmin(['inventory', 'show', 'nope'])).code, 2);
  });

  test('inventory add and rm; an observer cannot add (exit 4)', async () => {
    const add = await asAdmin(['inventory', 'add', 'lab-r9', '--hostname', '192.0.2.9', '--group', 'dc2', '--data', 'asn=65009', '--json']);
    const host = json<{ name: string; data: Record<string, unknown> }>(add);
    assert.deepEqual([host.name, host.data.asn, host.data.site], ['lab-r9', 65009, 'dc2']);
    assert.equal((await asAdmin(['inventory', 'add', 'lab-r9'])).code, 1, 'adding twice is a conflict');
    const denied = await asObserver(['inventory', 'add', 'lab-r10']);
    assert.equal(denied.code, 4);
    assert.equal((await asAdmin(['inventory', 'rm', 'lab-r9'])).code, 0);
    assert.equal((await asAdmin(['inventory', 'show', 'lab-r9'])).code, 2);
  });

  test('run an action through the API and follow its output; tail an execution by id', async () => {
    const run = await asAdmin(['run', 'core.local', 'cmd=echo first; sleep 0.3; echo second']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'first\nsecond\n');
    assert.match(run.stderr, /execution \S+ \(core\.local\) started[\s\S]*succeeded/);
    const started = await asAdmin(['run', 'core.local', 'cmd=sleep 0.5; echo done late', '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    assert.match(id, /^[0-9a-z]{26}$/);
    const tail = await asAdmin(['execution', 'tail', id]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(tail.stdout, 'done late\n');
    const again = await asAdmin(['execution', 'tail', id, '--json']);
    const messages = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; data: { status?: string } });
    assert.equal(messages.at(-1)!.event, 'end');
    assert.equal(messages.at(-1)!.data.status, 'succeeded');
    const got = json<{ id: string; status: string; result: unknown }>(await asAdmin(['execution', 'get', id, '--json']));
    assert.equal(got.status, 'succeeded');
  });

  test('a failing action exits 1 for run and for tail; an unknown action exits 2', async () => {
    const run = await asAdmin(['run', 'core.local', 'cmd=echo broken >&2; exit 3', '--json']);
    assert.equal(run.code, 1);
    const view = JSON.parse(run.stdout) as { id: string; status: string };
    assert.equal(view.status, 'failed');
    assert.equal((await asAdmin(['execution', 'tail', view.id])).code, 1);
    const unknown = await asAdmin(['run', 'nope.nothing']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /NRX_ERR_ACTION_NOT_FOUND/);
  });

  test('an observer who tries to run an action gets 403: exit 4 and NRX_ERR_FORBIDDEN', async () => {
    const r = await asObserver(['run', 'core.echo', 'message=hi', '--remote']);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /NRX_ERR_FORBIDDEN/);
    assert.equal((await asObserver(['execution', 'list', '--json'])).code, 0, 'reading is allowed');
  });

  test('key set --encrypt stores ciphertext in the SQLite file; values print as ******** unless decrypted by an admin', async () => {
    const secret = 'c0mmunity-Zq8-unique-plaintext';
    const set = await asAdmin(['key', 'set', 'snmp_community', secret, '--encrypt']);
    assert.equal(set.code, 0, set.stderr);
    const piped = await asAdmin(['key', 'set', 'tacacs_key', '--encrypt'], 'piped-T4cacs-secret\n');
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal((await asAdmin(['key', 'set', 'ntp_server', '10.0.0.123'])).code, 0);
    // the committed bytes: the database file and its write-ahead log
    const dbFile = (live.appliance.store as SqliteStore).file;
    const bytes = Buffer.concat([readFileSync(dbFile), ...[`${dbFile}-wal`].filter(existsSync).map((f) => readFileSync(f))]);
    assert.equal(bytes.includes(Buffer.from(secret)), false, 'plaintext secret found in the SQLite file');
    assert.equal(bytes.includes(Buffer.from('piped-T4cacs-secret')), false);
    assert.ok(bytes.includes(Buffer.from('nrx:v1:')), 'ciphertext is in the file');
    assert.ok(bytes.includes(Buffer.from('10.0.0.123')), 'a plain key is stored as is (the file was read correctly)');
    assert.equal((await asAdmin(['key', 'get', 'snmp_community'])).stdout, '********\n');
    assert.equal((await asAdmin(['key', 'get', 'snmp_community', '--decrypt'])).stdout, `${secret}\n`);
    assert.equal((await asAdmin(['key', 'get', 'tacacs_key', '--decrypt'])).stdout, 'piped-T4cacs-secret\n');
    const list = json<Array<{ key: string; value: string; secret: boolean }>>(await asAdmin(['key', 'list', '--json']));
    assert.deepEqual(
      list.find((k) => k.key === 'snmp_community'),
      { ...list.find((k) => k.key === 'snmp_community'), value: '********', secret: true },
    );
    const text = await asAdmin(['key', 'list']);
    assert.ok(!text.stdout.includes(secret));
    const observer = await asObserver(['key', 'get', 'snmp_community', '--decrypt']);
    assert.equal(observer.code, 4);
    assert.ok(!observer.stdout.includes(secret) && !observer.stderr.includes(secret));
    assert.equal((await asAdmin(['key', 'set', 'x', 'y', '--scope', 'pack'])).code, 2, '--scope pack needs --pack');
    assert.equal((await asAdmin(['key', 'delete', 'ntp_server'])).code, 0);
    assert.equal((await asAdmin(['key', 'get', 'ntp_server'])).code, 2);
  });

  test('inquiry list and respond move a waiting core.ask on', async () => {
    const id = (await asAdmin(['run', 'core.ask', '--no-wait'])).stdout.trim();
    let listed: Array<{ id: string }> = [];
    for (let i = 0; i < 50 && !listed.some((x) => x.id === id); i++) {
      listed = json(await asAdmin(['inquiry', 'list', '--json']));
      if (!listed.some((x) => x.id === id)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      listed.some((x) => x.id === id),
      'the inquiry is listed',
    );
    const r = await asAdmin(['inquiry', 'respond', id, 'continue=true']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await asAdmin(['execution', 'tail', id])).code, 0, 'it ends succeeded');
    assert.equal((await asAdmin(['inquiry', 'respond', id, 'continue'])).code, 2, 'key=value is required');
  });

  test('rule list, get, disable and enable through the API; rule test uses the appliance', async () => {
    const rules = json<Array<{ ref: string; enabled: boolean }>>(await asAdmin(['rule', 'list', '--json']));
    assert.ok(rules.some((r) => r.ref === 'demo.bgp_down'));
    assert.equal((await asAdmin(['rule', 'disable', 'demo.bgp_down'])).code, 0);
    assert.equal(json<{ enabled: boolean }>(await asAdmin(['rule', 'get', 'demo.bgp_down', '--json'])).enabled, false);
    assert.equal((await asAdmin(['rule', 'enable', 'demo.bgp_down'])).code, 0);
    assert.equal(json<{ enabled: boolean }>(await asAdmin(['rule', 'get', 'demo.bgp_down', '--json'])).enabled, true);
    assert.equal((await asObserver(['rule', 'disable', 'demo.bgp_down'])).code, 4);
    const ev = path.join(tmp, 'down.json');
    writeFileSync(ev, JSON.stringify({ trigger: 'network.bgp_peer_state_changed', payload: { device: 'r1', peer: '10.0.12.2', state: 'idle' } }));
    const t = json<{ matched: boolean; parameters: unknown }>(await asAdmin(['rule', 'test', '--rule', 'demo.bgp_down', '--event', ev, '--json']));
    assert.equal(t.matched, true);
  });

  test('event emit through the API; event tail follows new events', async () => {
    const tail = asAdmin(['event', 'tail', '--type', 'core.event', '--max', '1', '--json']);
    // the tail subscribes a moment after it starts: emit until it has seen one
    let done = false;
    void tail.then(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) {
      await new Promise((r) => setTimeout(r, 150));
      if (!done) await live.appliance.emit(makeEvent('core.event', { n: i }, { source: 'test' }));
    }
    const r = await tail;
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout.trim()) as { type: string }).type, 'core.event');
    const emitted = json<{ id: string }>(await asAdmin(['event', 'emit', 'core.event', 'kind=cli', '--json']));
    const events = json<Array<{ id: string; source: string }>>(await asAdmin(['event', 'list', '--json']));
    assert.equal(events.find((e) => e.id === emitted.id)?.source, 'api:admin');
  });

  test('pack install from a local folder, list, remove', async () => {
    const dir = path.join(tmp, 'packsrc', 'hello_net');
    mkdirSync(path.join(dir, 'actions'), { recursive: true });
    writeFileSync(path.join(dir, 'pack.yaml'), 'ref: hello_net\nname: hello_net\nversion: 0.1.0\ndescription: test pack\n');
    writeFileSync(path.join(dir, 'actions', 'hi.yaml'), 'name: hi\nrunner_type: noop\nentry_point: ""\n');
    const inst = await asAdmin(['pack', 'install', path.relative(process.cwd(), dir)]);
    assert.equal(inst.code, 0, inst.stderr);
    assert.ok(json<Array<{ ref: string; installed: boolean }>>(await asAdmin(['pack', 'list', '--json'])).some((p) => p.ref === 'hello_net' && p.installed));
    assert.equal((await asAdmin(['run', 'hello_net.hi'])).code, 0);
    assert.equal((await asAdmin(['pack', 'remove', 'hello_net'])).code, 0);
    assert.equal((await asAdmin(['pack', 'remove', 'hello_net'])).code, 2);
  });

  test('--json of every list command is JSON; tables carry no colour codes when stdout is not a terminal', async () => {
    const lists = [
      ['inventory', 'ls'],
      ['execution', 'list'],
      ['event', 'list'],
      ['rule', 'list'],
      ['trigger', 'list'],
      ['key', 'list'],
      ['pack', 'list'],
      ['inquiry', 'list'],
    ];
    await Promise.all(
      lists.map(async (args) => {
        const r = await asAdmin([...args, '--json']);
        assert.ok(Array.isArray(json(r)), `${args.join(' ')} --json`);
        // without NO_COLOR: a pipe is not a terminal, so still no escape codes
        const plain = await cli(args, { XDG_CONFIG_HOME: adminHome });
        assert.equal(plain.code, 0, plain.stderr);
        assert.ok(!plain.stdout.includes('\x1b['), `${args.join(' ')} printed colour codes into a pipe`);
        assert.match(plain.stdout.split('\n')[0]!, /^[A-Z]+(\s+[A-Z]+)*$/, `${args.join(' ')}: a table header`);
      }),
    );
  });

  test('no API or no credential exits 3; logout forgets the token', async () => {
    const down = await cli(['execution', 'list', '--url', 'http://127.0.0.1:9'], { XDG_CONFIG_HOME: path.join(tmp, 'nobody') });
    assert.equal(down.code, 3);
    assert.match(down.stderr, /NRX_ERR_API_UNREACHABLE.*127\.0\.0\.1:9/);
    const anon = await cli(['execution', 'list'], { XDG_CONFIG_HOME: path.join(tmp, 'nobody'), NETREFLEX_URL: live.url });
    assert.equal(anon.code, 3);
    assert.match(anon.stderr, /NRX_ERR_UNAUTHORIZED[\s\S]*netreflex login/);
    const out = await asObserver(['logout']);
    assert.equal(out.code, 0, out.stderr);
    const saved = JSON.parse(readFileSync(path.join(observerHome, 'netreflex', 'config.json'), 'utf8'));
    assert.deepEqual(saved, { url: live.url });
    assert.equal((await asObserver(['whoami'])).code, 3);
  });
});
