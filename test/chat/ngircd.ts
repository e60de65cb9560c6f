import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensurePackages, missingPackages } from '../lab/packages.js';

/** A real IRC server for a test: Debian's ngircd on a free port, its config in a temp dir, stopped by the test. */
export interface Ngircd {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Why the test cannot run here (not installed and not root to install it), or null. */
export async function ngircdUnavailable(): Promise<string | null> {
  if ((await missingPackages(['ngircd'])).length === 0) return null;
  return process.getuid?.() === 0 ? null : 'ngircd is not installed and only root can install it';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startNgircd(): Promise<Ngircd> {
  await ensurePackages(['ngircd']);
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-ngircd-'));
  // ngircd started by root runs as nobody: it must still read its files
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'ngircd.conf');
  writeFileSync(
    conf,
    [
      '[Global]',
      'Name = irc.netreflex.test',
      'Info = netreflex test server',
      'AdminInfo1 = netreflex tests',
      'AdminEMail = tests@netreflex.invalid',
      'Listen = 127.0.0.1',
      `Ports = ${port}`,
      `PidFile = ${path.join(dir, 'ngircd.pid')}`,
      'MotdPhrase = netreflex test',
      '[Limits]',
      'MaxNickLength = 30',
      // the bot's replies come in bursts; the server's flood penalty would only slow the test
      '[Options]',
      'Ident = no',
      'PAM = no',
      'DNS = no',
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn('/usr/sbin/ngircd', ['--nodaemon', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ngircd did not listen on ${port}: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
