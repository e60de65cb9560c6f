import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLI_MAIN = path.resolve('src/cli/main.ts');

/** `netreflex serve` running as its own process on free ports and a temp data directory. */
export interface LiveServe {
  url: string;
  pid: number;
  /** Where each sensor listens, as serve printed it: `syslog/tcp` -> port. */
  ports: Record<string, number>;
  /** Bearer token of the admin user (for /metrics and the events API). */
  token: string;
  get(pathAndQuery: string): Promise<{ status: number; body: string }>;
  /** Every netreflex_sensor_messages{sensor, counter} of one sensor, from one read of /metrics. */
  sensorCounters(sensor: string): Promise<Record<string, number>>;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start `netreflex serve` with `flags` (ports default to 0, the API on 127.0.0.1:0). `nofile`
 * runs it under that RLIMIT_NOFILE, the way a service manager would.
 */
export async function liveServe(flags: string[], opts: { nofile?: number } = {}): Promise<LiveServe> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-sec-serve-'));
  const password = 'sensor-limits-test-password';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NETREFLEX_')) env[k] = v;
  Object.assign(env, { NETREFLEX_ADMIN_PASSWORD: password, NETREFLEX_LOG_LEVEL: 'silent' });
  const args = [
    '--import',
    'tsx',
    CLI_MAIN,
    'serve',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--sensor-host',
    '127.0.0.1',
    '--syslog-port',
    '0',
    '--trap-port',
    'off',
    '--sflow-port',
    'off',
    ...flags,
  ];
  const child: ChildProcess = opts.nofile
    ? spawn('/bin/sh', ['-c', `ulimit -n ${opts.nofile} && exec "$0" "$@"`, process.execPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 20 s:\n${err}`)), 20_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.includes('waiting for events')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`serve exited:\n${err}`)));
  });
  try {
    await ready;
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const url = /API on (http:\/\/\S+)/.exec(err)![1]!;
  const ports: Record<string, number> = {};
  for (const m of err.matchAll(/sensor (\S+) on \S+:(\d+)/g)) ports[m[1]!] = Number(m[2]);
  const login = await request(url, 'POST', '/api/v1/auth/login', {}, JSON.stringify({ user: 'admin', password }));
  const token = (JSON.parse(login.body) as { token: string }).token;
  const get = (p: string): Promise<{ status: number; body: string }> => request(url, 'GET', p, { authorization: `Bearer ${token}` });
  return {
    url,
    pid: child.pid!,
    ports,
    token,
    get,
    async sensorCounters(sensor) {
      const { body } = await get('/metrics');
      const out: Record<string, number> = {};
      for (const m of body.matchAll(/^netreflex_sensor_messages\{sensor="([^"]+)",counter="([^"]+)"\} (\d+)$/gm))
        if (m[1] === sensor) out[m[2]!] = Number(m[3]);
      if (Object.keys(out).length === 0) throw new Error(`no netreflex_sensor_messages{sensor="${sensor}"} in /metrics`);
      return out;
    },
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One HTTP request on a fresh connection (no keep-alive: every request needs a descriptor). */
export function request(
  base: string,
  method: string,
  p: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${p}`,
      { method, agent: false, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${p}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * GET /api/v1/health from `clients` clients, each every `everyMs`, until stopped: latencies of
 * real HTTP requests, each on a new connection, and how many failed (refused, reset, not 200).
 */
export function sampleHealth(url: string, everyMs = 20, clients = 1): { stop(): Promise<{ n: number; p99: number; max: number; failures: string[] }> } {
  const latencies: number[] = [];
  const failures: string[] = [];
  let running = true;
  const client = async (delay: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, delay));
    while (running) {
      const t = performance.now();
      try {
        const r = await request(url, 'GET', '/api/v1/health');
        if (r.status !== 200) failures.push(`HTTP ${r.status}`);
      } catch (e) {
        failures.push((e as Error).message);
      }
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  const loops = Promise.all(Array.from({ length: clients }, (_, i) => client((i * everyMs) / clients)));
  return {
    async stop() {
      running = false; // idempotent: a second call returns the same figures
      await loops;
      const sorted = [...latencies].sort((a, b) => a - b);
      return { n: sorted.length, p99: sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? 0, max: sorted.at(-1) ?? 0, failures };
    },
  };
}

/**
 * An attacker in its own process (as it would be on another host, so its work does not delay
 * the health measurements here): opens `n` TCP connections from each `from` address to `port`,
 * 100 at a time, sends nothing and holds them until stopped.
 */
export function idleConnectionFlood(
  port: number,
  plan: Array<{ from: string; n: number }>,
): { settled: Promise<{ open: number; closed: number }>; stop(): Promise<void> } {
  const script = `
    const net = require('node:net');
    const [port, plan] = [Number(process.argv[1]), JSON.parse(process.argv[2])];
    const held = [];
    let closed = 0;
    (async () => {
      for (const { from, n } of plan) {
        for (let done = 0; done < n; done += 100) {
          await Promise.all(Array.from({ length: Math.min(100, n - done) }, () => new Promise((r) => {
            const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
            s.on('error', () => {});
            s.once('connect', () => { held.push(s); r(); });
            s.once('close', () => { closed++; r(); });
          })));
        }
      }
      // refused connections are closed by the server right after the handshake
      await new Promise((r) => setTimeout(r, 300));
      process.stdout.write(JSON.stringify({ open: held.filter((s) => !s.destroyed).length, closed }) + '\\n');
    })();
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['-e', script, String(port), JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const settled = new Promise<{ open: number; closed: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out) as { open: number; closed: number });
    });
    void exited.then(() => reject(new Error('the attacking process exited early')));
  });
  return {
    settled,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
