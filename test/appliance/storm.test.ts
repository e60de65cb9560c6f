import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { buildAppliance, type AssembledAppliance } from '../../src/assembly.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';

/**
 * A storm past capacity against a running appliance (real UDP socket, SQLite, rules): every
 * datagram sent is accounted for (an event stored, a repeat counted on one, a counted drop in the
 * process or the kernel), and a BGP state change sent during the flood still starts its action.
 */
const SENT = 60_000;
let dir: string;
let assembled: AssembledAppliance;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nrx-storm-test-'));
  const inv = path.join(dir, 'inventory');
  mkdirSync(inv);
  writeFileSync(path.join(inv, 'hosts.yaml'), Array.from({ length: 50 }, (_, i) => `leaf${i}:\n  hostname: 10.9.0.${i + 1}\n  platform: eos\n`).join(''));
  const pack = path.join(dir, 'packs', 'stormtest');
  mkdirSync(path.join(pack, 'rules'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: stormtest\nname: stormtest\nversion: 1.0.0\n');
  writeFileSync(
    path.join(pack, 'rules', 'peer_down.yaml'),
    'name: peer_down\npack: stormtest\nenabled: true\ntrigger:\n  type: network.bgp_peer_state_changed\ncriteria:\n  trigger.device:\n    type: equals\n    pattern: leaf7\naction:\n  ref: core.noop\n',
  );
  const config = loadConfig({ dataDir: path.join(dir, 'data'), packsPaths: [path.join(dir, 'packs')] }, {});
  // a small queue: the flood must go past it, so that shedding is exercised as well as the kernel
  config.events = { coalesceWindowMs: 5_000, maxQueued: 2_000 };
  assembled = buildAppliance({
    config,
    log: silentLogger,
    api: null,
    sensors: { host: '127.0.0.1', syslogUdpPort: 0, syslogTcpPort: 0, syslogTls: null, trapPort: null, sflowPort: null },
    inventoryDir: inv,
  });
  await assembled.start();
});

after(async () => {
  await assembled?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function portOf(what: string): number {
  return Number(assembled.sensorAddresses()[what]!.split(':').pop());
}

/** python sends `SENT` datagrams as fast as it can: flapping ports (repeats), low-severity chatter, garbage. */
function flood(port: number): Promise<number> {
  const script = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lines = []
for i in range(400):
    d = 'leaf%d' % (i % 50)
    lines.append(('<187>Dec  2 05:00:01 %s Ebra: %%LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet%d, changed state to down' % (d, i % 8)).encode())
    lines.append(('<190>Dec  2 05:00:01 %s sshd[%d]: Accepted publickey for netops from 192.0.2.1 port 40000 ssh2' % (d, 1000 + i)).encode())
lines.append(b'<999>not syslog at all')
n = 0
for i in range(${SENT}):
    s.sendto(lines[i % len(lines)], ('127.0.0.1', ${port}))
    n += 1
print(n)
`;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`sender exited ${code}`))));
  });
}

function sendTcp(port: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(`${line}\n`, () => resolve()));
    s.on('error', reject);
  });
}

async function settled(read: () => number): Promise<number> {
  let last = -1;
  for (;;) {
    const now = read();
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 400));
  }
}

test('a flood past capacity: every datagram is an event, a counted repeat or a counted drop; a BGP change in it still starts its action', async () => {
  const udp = portOf('syslog/udp');
  const flooding = flood(udp);
  await new Promise((r) => setTimeout(r, 150));
  await sendTcp(
    portOf('syslog/tcp'),
    '<13>Dec  2 05:00:02 leaf7 Bgp: %BGP-5-ADJCHANGE: peer 10.0.0.9 (VRF default AS 65000) old state Established event HoldTimerExpired new state Idle',
  );
  const sent = await flooding;
  assert.equal(sent, SENT);
  const syslog = () => assembled.sensorCounters().syslog!;
  await settled(() => syslog().received + syslog().kernel_dropped! + syslog().reader_dropped!);
  const { appliance } = assembled;
  await appliance.intake.flush();

  const s = syslog();
  const udpReceived = s.received - 1; // the BGP line came over TCP
  assert.equal(
    udpReceived + s.kernel_dropped! + s.reader_dropped!,
    SENT,
    `sent ${SENT}: received ${udpReceived} + kernel dropped ${s.kernel_dropped} + dropped by the reader thread ${s.reader_dropped}`,
  );
  assert.equal(s.decoded + s.malformed, s.received);
  assert.ok(s.malformed > 0, 'the garbage datagrams were counted as malformed');

  const c = appliance.intake.counts;
  assert.equal(c.offered, s.decoded - s.dropped);
  assert.equal(c.stored + c.coalesced + c.shed_low_severity_syslog + c.shed_syslog + c.overflow + c.invalid + c.store_failed + c.queued, c.offered);
  assert.ok(c.coalesced > 0, 'the flapping ports were coalesced');
  assert.ok(s.kernel_dropped! + s.reader_dropped! + c.shed_low_severity_syslog + c.shed_syslog + c.overflow > 0, 'the flood went past capacity');
  assert.ok(c.queued_high_water <= 2_000, 'the queue stayed within its bound');

  const db = new Database(path.join(appliance.dataDir, 'netreflex.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT count(*) AS n, sum(occurrences) AS total FROM trigger_instances').get() as { n: number; total: number };
    assert.equal(rows.n, c.stored);
    assert.equal(rows.total, c.stored + c.coalesced, 'every repeat is counted on the event it repeats');
  } finally {
    db.close();
  }

  let bgp: Array<{ status: string; action: string }> = [];
  for (let i = 0; i < 50 && !bgp.some((e) => e.status === 'succeeded'); i++) {
    bgp = (await appliance.store.listExecutions({})).filter((e) => e.action === 'core.noop');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(bgp.length, 1, 'the BGP change started its action once');
  assert.equal(bgp[0]!.status, 'succeeded');
});
