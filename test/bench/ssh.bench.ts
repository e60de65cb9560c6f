// SSH CLI benchmarks (issue 4): one session per sample on the lab's leaf1 (connect + `show ip bgp
// summary` + disconnect) against Debian's Netmiko in default and fast_cli modes; the 2nd..10th
// command of a workflow on leaf1 through the cli runner, pooled session vs a fresh session per
// command (issue 9); and one show command fanned out over 200 simulated SSH devices on loopback
// (wall time, client peak RSS).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliDriver } from '../../drivers/connect.js';
import { fanOut, summarise } from '../../drivers/access/fan-out.js';
import { SessionPool } from '../../drivers/access/session-pool.js';
import { staticResolver, type DeviceTarget } from '../../drivers/access/targets.js';
import { CliRunner } from '../../src/executions/runners/cli.js';
import { testAction, testContext } from '../executions/runners/helpers.js';
import type { Lab } from '../lab/lab.js';
import { ensurePackages } from '../lab/packages.js';
import { median, type BenchResult, type Emit } from './stats.js';

const SESSIONS = 20;

const NETMIKO = `
import json, sys, time
from netmiko import ConnectHandler
host, port, user, pw, n, fast = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6] == "1"
times = []
for _ in range(n):
    t = time.perf_counter()
    c = ConnectHandler(device_type="cisco_ios", host=host, port=port, username=user, password=pw, fast_cli=fast,
                       use_keys=False, allow_agent=False, ssh_config_file=None)
    out = c.send_command("show ip bgp summary")
    c.disconnect()
    assert "Neighbor" in out, out
    times.append(time.perf_counter() - t)
print(json.dumps(times))
`;

/** Netmiko's session times, or why it failed. */
function netmikoTimes(lab: Lab, fast: boolean): number[] | string {
  const r = lab.routers.find((x) => x.name === 'leaf1')!;
  const p = spawnSync('/usr/bin/python3', ['-c', NETMIKO, r.ssh.host, String(r.ssh.port), r.ssh.username, r.ssh.password, String(SESSIONS), fast ? '1' : '0'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (p.status !== 0) {
    const why = p.error?.message ?? p.stderr.trim().split('\n').slice(-2).join(' / ');
    process.stderr.write(`netmiko (${fast ? 'fast_cli' : 'default'}) failed: ${p.stderr.slice(-500)}\n`);
    return `Netmiko ${fast ? 'fast_cli' : 'default'} (exit ${p.status ?? p.signal}): ${why}`;
  }
  return (JSON.parse(p.stdout.trim().split('\n').pop()!) as number[]).map((s) => s * 1000);
}

async function netreflexTimes(lab: Lab, auth: 'password' | 'key' = 'password'): Promise<number[]> {
  const r = lab.routers.find((x) => x.name === 'leaf1')!;
  const knownHosts = join(mkdtempSync(join(tmpdir(), 'nrx-bench-')), 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${r.ssh.port} ${r.ssh.hostPublicKey}\n`);
  const times: number[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const t = performance.now();
    const credential = auth === 'key' ? { privateKey: readFileSync(r.ssh.privateKeyPath) } : { password: r.ssh.password };
    const d = cliDriver({
      device: 'leaf1',
      host: r.ssh.host,
      port: r.ssh.port,
      username: r.ssh.username,
      ...credential,
      platform: 'frr',
      knownHostsFile: knownHosts,
      hostKeyPolicy: 'strict',
    });
    const [res] = await d.send(['show ip bgp summary']);
    await d.close();
    if (!res!.output.includes('Neighbor')) throw new Error(`unexpected output: ${res!.output.slice(0, 200)}`);
    times.push(performance.now() - t);
  }
  return times;
}

/**
 * Ten `cli` actions on leaf1 in a row, as the tasks of one workflow run them: the time of the
 * 2nd..10th, over `rounds` workflows. Pooled, only the 1st logs in; fresh, every one does.
 */
async function workflowCommandTimes(lab: Lab, pooled: boolean, rounds = 6): Promise<number[]> {
  const r = lab.routers.find((x) => x.name === 'leaf1')!;
  const knownHostsFile = join(mkdtempSync(join(tmpdir(), 'nrx-bench-')), 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${r.ssh.port} ${r.ssh.hostPublicKey}\n`);
  const action = testAction('cli');
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const pool = pooled ? new SessionPool() : undefined;
    const target: DeviceTarget = {
      name: 'leaf1',
      hostname: r.ssh.host,
      port: r.ssh.port,
      platform: 'frr',
      username: r.ssh.username,
      password: r.ssh.password,
      knownHostsFile,
      hostKeyPolicy: 'strict',
      ...(pool ? { sessions: pool } : {}),
    };
    const runner = new CliRunner(staticResolver([target]));
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const res = await runner.run(action, { device: 'leaf1', commands: ['show ip bgp summary'] }, testContext(action));
      const took = performance.now() - t;
      if (res.status !== 'succeeded' || !JSON.stringify(res.result).includes('Neighbor'))
        throw new Error(`unexpected result: ${JSON.stringify(res).slice(0, 300)}`);
      if (i > 0) times.push(took);
    }
    await pool?.close();
  }
  return times;
}

/** Fan-out of one show command over `count` replayed devices served from a child process. */
export async function benchFanOut(count = 200, concurrency = 50): Promise<BenchResult[]> {
  const fleet = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'replay-fleet.ts'), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: fleet.stdout! }).once('line', resolve));
  const info = JSON.parse(line) as { ports: number[]; hostPublicKey: string; username: string; password: string };
  const knownHosts = join(mkdtempSync(join(tmpdir(), 'nrx-fleet-')), 'known_hosts');
  writeFileSync(knownHosts, info.ports.map((p) => `[127.0.0.1]:${p} ${info.hostPublicKey}\n`).join(''));
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const t = performance.now();
  const outcomes = await fanOut(
    info.ports.map((_, i) => `sim${i}`),
    async (name) => {
      const port = info.ports[Number(name.slice(3))]!;
      const d = cliDriver({
        device: name,
        host: '127.0.0.1',
        port,
        username: info.username,
        password: info.password,
        platform: 'cisco_ios',
        knownHostsFile: knownHosts,
        hostKeyPolicy: 'strict',
      });
      try {
        return (await d.getBgpNeighbors()).neighbors.length;
      } finally {
        await d.close();
      }
    },
    { concurrency },
  );
  const wall = performance.now() - t;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  fleet.stdin!.end();
  const { ok, failed } = summarise(outcomes);
  if (failed) process.stderr.write(`fan-out: ${failed} of ${count} failed: ${JSON.stringify(outcomes.find((o) => !o.ok))}\n`);
  return [
    { name: `ssh fan-out: getBgpNeighbors on ${count} devices (${ok} ok), concurrency ${concurrency}`, value: wall / 1000, unit: 's wall', goal: '< 3 s' },
    {
      name: `ssh fan-out: client peak RSS (${count} devices)`,
      value: peakRss / 1024 / 1024,
      unit: 'MiB',
      goal: `growth ${((peakRss - rssBefore) / 1024 / 1024).toFixed(1)} MiB`,
    },
  ];
}

export async function benchSsh(lab: Lab, emit: Emit = () => undefined): Promise<BenchResult[]> {
  await ensurePackages(['python3-netmiko']).catch((e: Error) => process.stderr.write(`netmiko not installed: ${e.message}\n`));
  const ours = median(await netreflexTimes(lab));
  const results: BenchResult[] = [];
  const goal = '<= 150 ms, >= 4.5x Netmiko fast_cli';
  const name = 'ssh session on FRR: connect + show ip bgp summary + close';
  for (const [fast, peerName] of [
    [true, 'Netmiko fast_cli'],
    [false, 'Netmiko default'],
  ] as const) {
    const peer = netmikoTimes(lab, fast);
    const r: BenchResult =
      typeof peer === 'string'
        ? { name, value: ours, unit: 'ms', peerFailed: peer, goal }
        : { name, value: ours, unit: 'ms', peer: { name: peerName, value: median(peer) }, goal };
    emit(r);
    results.push(r);
  }
  // sshd's password check and session setup plus vtysh's start are most of a session; key auth is a little cheaper.
  results.push({
    name: 'ssh session on FRR, key auth: connect + show ip bgp summary + close',
    value: median(await netreflexTimes(lab, 'key')),
    unit: 'ms',
    goal,
  });
  const fresh = median(await workflowCommandTimes(lab, false));
  const pooled = median(await workflowCommandTimes(lab, true));
  results.push({
    name: 'cli action on FRR, 2nd..10th of a workflow: pooled session',
    value: pooled,
    unit: 'ms',
    peer: { name: 'fresh session per action', value: fresh },
    goal: '<= 10 ms, >= 15x',
  });
  results.push(...(await benchFanOut()));
  return results;
}
