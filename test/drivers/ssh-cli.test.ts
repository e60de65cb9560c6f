import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateHostKey } from './ssh-host-key.js';
import { cliDriver, type DeviceConnection } from '../../drivers/connect.js';
import { fingerprint, parsePublicKeyLine } from '../../drivers/transports/known-hosts.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from './replay-server.js';

const BGP = `BGP router identifier 10.0.0.1, local AS number 65001
Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
10.0.0.2        4        65002      26      27        9    0    0 00:20:06        7
10.0.0.3        4        65003       0       0        1    0    0 never    Idle (Admin)`;
const LONG = Array.from({ length: 60 }, (_, i) => `line ${i + 1} of a long output`).join('\n');

describe('SSH CLI transport against a replayed IOS-like device', () => {
  let server: ReplayServer;
  let dir: string;
  let knownHosts: string;
  const conn = (extra: Partial<DeviceConnection> = {}): DeviceConnection => ({
    device: 'sw1',
    host: '127.0.0.1',
    port: server.port,
    username: 'admin',
    password: 'secret-1',
    platform: 'cisco_ios',
    knownHostsFile: knownHosts,
    hostKeyPolicy: 'strict',
    commandTimeoutMs: 2000,
    ...extra,
  });

  before(async () => {
    server = await startReplayServer(
      ciscoLikeDevice(
        'sw1',
        { 'show ip bgp summary': BGP, 'show long': LONG, 'show version': 'Cisco IOS Software' },
        {
          startMode: 'exec',
          enable: { command: 'enable', secret: 'en-1' },
          banner: 'Authorised access only\n',
          delays: { 'show slow': 5000 },
          dropOn: ['reload'],
          configAccepts: /^(interface|description|router|neighbor|no )/,
        },
      ),
    );
    dir = mkdtempSync(join(tmpdir(), 'nrx-ssh-'));
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
  });
  after(async () => server.close());

  test('learns the prompt, enables, turns paging off, strips the echo, reuses one session', async () => {
    const d = cliDriver(conn({ enableSecret: 'en-1' }));
    await d.connect();
    const sessionsBefore = server.sessions;
    const [version, long] = await d.send(['show version', 'show long']);
    assert.equal(version!.output, 'Cisco IOS Software');
    assert.equal(version!.failed, false);
    assert.equal(long!.output, LONG, 'the whole output, no pager prompt, no echo, no prompt');
    assert.ok(server.received.includes('terminal length 0'));
    assert.ok(server.received.includes('en-1'), 'enable secret sent');
    const bgp = await d.getBgpNeighbors();
    assert.deepEqual(
      bgp.neighbors.map((n) => [n.peer, n.remoteAs, n.state, n.adminDown, n.prefixesReceived]),
      [
        ['10.0.0.2', 65002, 'established', false, 7],
        ['10.0.0.3', 65003, 'idle', true, undefined],
      ],
    );
    assert.equal(server.sessions, sessionsBefore, 'no new session per command');
    await d.close();
  });

  test('paging left on is answered with a space; onData streams the output', async () => {
    const d = cliDriver(conn({ enableSecret: 'en-1' }));
    await d.connect();
    await d.send(['terminal length 24']); // the replay device pages again only on a new session; simulate by fresh device below
    await d.close();
    const paged = await startReplayServer(ciscoLikeDevice('sw2', { 'show long': LONG }, { pagingOff: [] }));
    try {
      writeFileSync(knownHosts, `[127.0.0.1]:${paged.port} ${paged.hostPublicKey}\n`, { flag: 'a' });
      const p = cliDriver(conn({ device: 'sw2', port: paged.port }));
      const chunks: string[] = [];
      const [r] = await p.send(['show long'], { onData: (c) => chunks.push(c) });
      assert.equal(r!.output.replace(/\n+/g, '\n'), LONG);
      assert.ok(chunks.join('').includes('line 60 of a long output'));
      await p.close();
    } finally {
      await paged.close();
    }
  });

  test('config mode: lines accepted, a rejected line is a failed result (not an exception), mode left', async () => {
    const d = cliDriver(conn({ enableSecret: 'en-1' }));
    const r = await d.configure(['interface Gi0/1', 'description uplink', 'bogus command']);
    assert.equal(r.failed, true);
    assert.deepEqual(
      r.results.map((x) => x.failed),
      [false, false, true],
    );
    assert.match(r.results[2]!.failureReason!, /% Invalid input/);
    assert.ok(server.config.includes('description uplink'));
    const [after] = await d.send(['show version']);
    assert.equal(after!.output, 'Cisco IOS Software', 'back in privileged mode after configure');
    await assert.rejects(
      d.loadMerge(['x']),
      (e: { code: string; message: string }) => e.code === 'NRX_ERR_UNSUPPORTED' && /cisco_ios/.test(e.message) && /loadMerge/.test(e.message),
    );
    await assert.rejects(
      d.get('vxlan_vnis'),
      (e: { code: string; message: string }) => e.code === 'NRX_ERR_UNSUPPORTED' && /cisco_ios/.test(e.message) && /vxlan_vnis/.test(e.message),
    );
    // IOS reads facts from show version; this replayed device prints no version in it
    await assert.rejects(d.getFacts(), (e: { code: string; message: string }) => e.code === 'NRX_ERR_PARSE' && /cisco_ios 'show version'/.test(e.message));
    await d.close();
  });

  test('a command without a prompt in time is NRX_ERR_DEVICE_TIMEOUT naming device and command', async () => {
    const d = cliDriver(conn({ enableSecret: 'en-1' }));
    await assert.rejects(
      d.send(['show slow'], { timeoutMs: 300 }),
      (e: { code: string; message: string }) => e.code === 'NRX_ERR_DEVICE_TIMEOUT' && /sw1/.test(e.message) && /show slow/.test(e.message),
    );
    await d.close();
  });

  test('a dropped connection is NRX_ERR_CONNECTION_LOST', async () => {
    const d = cliDriver(conn({ enableSecret: 'en-1' }));
    await assert.rejects(d.send(['reload']), (e: { code: string; message: string }) => e.code === 'NRX_ERR_CONNECTION_LOST' && /sw1/.test(e.message));
    await assert.rejects(d.send(['show version']), (e: { code: string }) => e.code === 'NRX_ERR_CONNECTION_LOST');
    await d.close();
  });

  test('a wrong password is NRX_ERR_AUTH naming device and user', async () => {
    const d = cliDriver(conn({ password: 'wrong' }));
    await assert.rejects(d.connect(), (e: { code: string; message: string }) => e.code === 'NRX_ERR_AUTH' && /sw1/.test(e.message) && /admin/.test(e.message));
  });

  test('nothing listening is NRX_ERR_DEVICE_UNREACHABLE', async () => {
    const s = await startReplayServer(ciscoLikeDevice('gone'));
    const port = s.port;
    await s.close();
    const d = cliDriver(conn({ port }));
    await assert.rejects(d.connect(), (e: { code: string }) => e.code === 'NRX_ERR_DEVICE_UNREACHABLE');
  });

  test('a host key mismatch refuses to connect and shows both fingerprints', async () => {
    const other = generateHostKey();
    const file = join(dir, 'mismatch');
    writeFileSync(file, `[127.0.0.1]:${server.port} ${other.public}\n`);
    const d = cliDriver(conn({ knownHostsFile: file, hostKeyPolicy: 'tofu' }));
    const served = fingerprint(parsePublicKeyLine(server.hostPublicKey));
    const recorded = fingerprint(parsePublicKeyLine(other.public));
    await assert.rejects(
      d.connect(),
      (e: { code: string; message: string }) => e.code === 'NRX_ERR_HOSTKEY_MISMATCH' && e.message.includes(served) && e.message.includes(recorded),
    );
    assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 1, 'the file is not changed');
  });

  test('an unknown host is refused under strict, trusted and recorded under tofu', async () => {
    const file = join(dir, 'empty_known_hosts');
    await assert.rejects(cliDriver(conn({ knownHostsFile: file })).connect(), (e: { code: string }) => e.code === 'NRX_ERR_HOSTKEY_UNKNOWN');
    const d = cliDriver(conn({ knownHostsFile: file, hostKeyPolicy: 'tofu', enableSecret: 'en-1' }));
    await d.connect();
    await d.close();
    assert.equal(readFileSync(file, 'utf8'), `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
    const again = cliDriver(conn({ knownHostsFile: file, hostKeyPolicy: 'strict', enableSecret: 'en-1' }));
    await again.connect(); // now known: strict accepts it
    await again.close();
  });
});
