/**
 * A real NATS server with JetStream (Debian's nats-server) for a test: a free loopback port, its
 * store in a temp dir, stopped by `stop()`. `restart()` stops and starts it on the same port and
 * store (what a node's reboot looks like to the appliance).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { ensurePackages } from './packages.js';
import { freePort } from './ssh.js';

export interface NatsServer {
  url: string;
  port: number;
  /** Stops it, waits `downMs` (default 0), starts it again on the same port and store. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function listening(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new NrxError('NRX_ERR_CONFIG', `nats-server did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startNatsServer(): Promise<NatsServer> {
  await ensurePackages(['nats-server']);
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-nats-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', path.join(dir, 'js'), '-l', path.join(dir, 'nats.log')], {
      stdio: 'ignore',
    });
    await listening(port, 10_000);
  };
  const halt = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(t);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async restart(downMs = 0) {
      await halt();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `skip` option of a nats-server test: installed, or root to install it. Under CI a reason is a failure. */
export function natsGuard(): string | false {
  let reason: string | false = false;
  const installed = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].some((p) => existsSync(p));
  if (process.platform !== 'linux') reason = `NATS SKIPPED: needs Debian's nats-server package (this is ${process.platform})`;
  else if (!installed && process.getuid?.() !== 0) reason = 'NATS SKIPPED: nats-server is not installed and only root can install it (sudo npm test)';
  const ci = process.env.CI;
  if (reason && ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
    throw new NrxError('NRX_ERR_CONFIG', `NATS tests must run under CI, but: ${reason}`);
  if (reason) process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}
