// NETCONF on one session against the lab's netconfd: netreflex vs Debian's python3-ncclient, stock
// and with its 0.1 s transport poll (ncclient.transport.ssh.TICK) cut to 1 ms. Needs root (the
// lab creates a user and starts sshd); elsewhere it returns no results and says why.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectNetconf, type NetconfConnectOptions } from '../../drivers/transports/netconf.js';
import { startNetconf, type NetconfLab } from '../lab/netconf.js';
import { ensurePackages } from '../lab/packages.js';
import { median, peerFields, tryPeer, type BenchResult } from './stats.js';

const NS = 'urn:netreflex:lab';
const SECONDS = 2;

const NCCLIENT = `
import sys, time, json
import ncclient.transport.ssh as ssh
from ncclient import manager
host, port, user, key, tick, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6])
if tick > 0: ssh.TICK = tick
def connect():
    return manager.connect(host=host, port=port, username=user, key_filename=key, hostkey_verify=False, look_for_keys=False, allow_agent=False)
connects = []
for _ in range(5):
    t = time.perf_counter(); m = connect(); connects.append(time.perf_counter() - t); m.close_session()
m = connect()
n = 0; t0 = time.perf_counter()
while time.perf_counter() - t0 < secs:
    m.get_config('running'); n += 1
gets = n / (time.perf_counter() - t0)
n = 0; t0 = time.perf_counter()
while time.perf_counter() - t0 < secs:
    m.edit_config(target='candidate', config='<config><device xmlns="${NS}"><hostname>py%d</hostname></device></config>' % n); m.commit(); n += 1
edits = n / (time.perf_counter() - t0)
m.close_session()
connects.sort()
print(json.dumps({"connect": connects[len(connects)//2], "get": gets, "edit": edits}))
`;

interface Figures {
  connect: number;
  get: number;
  edit: number;
}

async function measureNetreflex(lab: NetconfLab): Promise<Figures> {
  // Both clients authenticate with the same ed25519 key (sshd's password check is yescrypt, ~70 ms by design).
  const opts: NetconfConnectOptions = {
    host: lab.host,
    port: lab.port,
    username: lab.username,
    privateKey: fs.readFileSync(lab.privateKeyPath),
    hostKey: { knownKey: lab.hostPublicKey },
  };
  const connects: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const s = await connectNetconf(opts);
    connects.push((performance.now() - t) / 1000);
    await s.close();
  }
  const s = await connectNetconf(opts);
  let n = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await s.getConfig('running');
    n++;
  }
  const get = n / ((performance.now() - t0) / 1000);
  n = 0;
  t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await s.editConfig(`<device xmlns="${NS}"><hostname>nrx${n}</hostname></device>`, { target: 'candidate' });
    await s.commit();
    n++;
  }
  const edit = n / ((performance.now() - t0) / 1000);
  await s.close();
  return { connect: median(connects), get, edit };
}

function measureNcclient(lab: NetconfLab, tick: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/python3',
      ['-c', NCCLIENT, lab.host, String(lab.port), lab.username, lab.privateKeyPath, String(tick), String(SECONDS)],
      { timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`ncclient run failed: ${stderr.trim().split('\n').slice(-3).join(' | ') || err.message}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Figures);
      },
    );
  });
}

export async function benchNetconf(): Promise<BenchResult[]> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('netconf bench skipped: it needs root to start netconfd behind sshd\n');
    return [];
  }
  await ensurePackages(['netconfd', 'openssh-server', 'python3-ncclient']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrx-bench-netconf-'));
  const lab = await startNetconf(dir);
  try {
    const ours = await measureNetreflex(lab);
    // an ncclient run that fails (it once timed out waiting for an rpc-reply) leaves our figures standing
    const stock = await tryPeer('ncclient stock', () => measureNcclient(lab, 0));
    const fast = await tryPeer('ncclient 1 ms poll', () => measureNcclient(lab, 0.001));
    return [
      { name: 'netconf get-config (one session)', value: ours.get, unit: 'rpc/s', ...peerFields(fast, 'ncclient 1 ms poll', (f) => f.get), goal: '>= 400/s' },
      { name: 'netconf get-config vs stock ncclient', value: ours.get, unit: 'rpc/s', ...peerFields(stock, 'ncclient stock', (f) => f.get) },
      {
        name: 'netconf edit-config+commit (one session)',
        value: ours.edit,
        unit: 'cycles/s',
        ...peerFields(fast, 'ncclient 1 ms poll', (f) => f.edit),
        goal: '>= 160/s',
      },
      { name: 'netconf edit-config+commit vs stock ncclient', value: ours.edit, unit: 'cycles/s', ...peerFields(stock, 'ncclient stock', (f) => f.edit) },
      {
        name: 'netconf connect (ssh + hello)',
        value: ours.connect * 1000,
        unit: 'ms',
        ...peerFields(fast, 'ncclient', (f) => f.connect * 1000),
        goal: '<= 100 ms',
      },
    ];
  } finally {
    await lab.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
