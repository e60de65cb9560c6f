/**
 * Runs a page's shell commands as a reader would type them: in the checkout, one after the
 * other, each `export` carried into the commands that follow it (like one shell session), and
 * long-running ones (`npm start`) kept in the background until the page is done.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ShellCommand } from './shell-blocks.js';

export interface Expectation {
  /** stdout must match; the command is run again until it does or `withinMs` has passed. */
  stdout?: RegExp;
  withinMs?: number;
  /** Exit status wanted (default 0). */
  status?: number;
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export const REPO = path.resolve(import.meta.dirname, '..', '..');

function runBash(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export class PageSession {
  private readonly exports: string[] = [];
  private readonly background: Array<{ child: ChildProcess; log: string; text: string }> = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
  ) {}

  private script(cmd: string): string {
    return ['set -eo pipefail', ...this.exports, cmd].join('\n');
  }

  /** Runs one command; with an expectation on stdout it is retried until it matches. */
  async run(cmd: ShellCommand, want: Expectation = {}): Promise<CommandResult> {
    if (/^export\s/.test(cmd.text)) this.exports.push(cmd.text);
    const deadline = Date.now() + (want.withinMs ?? 0);
    for (;;) {
      const r = await runBash(this.script(cmd.text), this.env, 180_000);
      const statusOk = r.status === (want.status ?? 0);
      if (statusOk && (!want.stdout || want.stdout.test(r.stdout))) return r;
      if (Date.now() >= deadline) {
        throw new Error(
          `${cmd.where}: \`${cmd.text}\` exited ${r.status}${want.stdout ? ` (stdout should match ${want.stdout})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
        );
      }
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  /** Starts a long-running command and waits until its output (stdout + stderr) matches `ready`. */
  async start(cmd: ShellCommand, ready: RegExp, timeoutMs = 60_000): Promise<void> {
    const log = path.join(this.logDir, `background-${this.background.length}.log`);
    const fd = openSync(log, 'a');
    // its own process group, so that stopping it reaches npm's children too
    const child = spawn('bash', ['-c', this.script(`exec ${cmd.text}`)], { cwd: REPO, env: this.env, stdio: ['ignore', fd, fd], detached: true });
    this.background.push({ child, log, text: cmd.text });
    const deadline = Date.now() + timeoutMs;
    while (!ready.test(readFileSync(log, 'utf8'))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${cmd.where}: \`${cmd.text}\` did not get ready (${ready}):\n${readFileSync(log, 'utf8').slice(-3000)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /** What a background command printed so far. */
  output(text: string): string {
    const b = this.background.find((x) => x.text === text);
    return b ? readFileSync(b.log, 'utf8') : '';
  }

  /** Ctrl-C to every background command (its whole process group), then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    await Promise.all(
      this.background.map(async ({ child }) => {
        if (child.exitCode !== null || child.pid === undefined) return;
        const gone = new Promise<void>((res) => child.once('exit', () => res()));
        try {
          process.kill(-child.pid, 'SIGINT');
        } catch {
          return;
        }
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 15_000);
        await gone;
        clearTimeout(t);
      }),
    );
  }
}

/** Every compiled source has a dist/ file at least as new as itself (what `npm ci` leaves). */
function distIsFresh(): boolean {
  const stale = (dir: string): boolean =>
    readdirSync(path.join(REPO, dir), { withFileTypes: true }).some((e) => {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) return e.name !== 'node_modules' && stale(rel);
      if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) return false;
      const out = path.join(REPO, 'dist', rel.replace(/\.ts$/, '.js'));
      return !existsSync(out) || statSync(out).mtimeMs < statSync(path.join(REPO, rel)).mtimeMs;
    });
  return !['src', 'drivers', 'packs', 'workflows'].some((d) => existsSync(path.join(REPO, d)) && stale(d));
}

/**
 * dist/ as `npm ci` leaves it: `npm start` and `npx netreflex` run the compiled CLI, so sources
 * changed since the last build are compiled first. Type errors are `npm test`'s type-check's
 * business; here only fresh JavaScript matters, so tsc's exit code is not the verdict, the emitted
 * CLI is. flock keeps two tests from writing dist/ at once.
 */
export function buildDist(): void {
  if (!distIsFresh()) {
    const r = spawnSync('flock', ['/tmp/netreflex-dist-build.lock', process.execPath, 'node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    if (r.error) throw r.error;
  }
  const main = spawnSync(process.execPath, ['dist/src/cli/main.js', '--version'], { cwd: REPO, encoding: 'utf8' });
  if (main.status !== 0) throw new Error(`dist/src/cli/main.js does not run:\n${main.stderr}`);
}

/** The environment a reader's shell would have, in a scratch HOME, without this machine's netreflex settings. */
export function readerEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NETREFLEX_') && k !== 'XDG_CONFIG_HOME') env[k] = v;
  // npm keeps its cache where it was: a scratch HOME would make npx look packages up afresh
  return { ...env, npm_config_cache: process.env.npm_config_cache ?? path.join(process.env.HOME ?? '/root', '.npm'), HOME: home, NO_COLOR: '1', ...extra };
}

/** A port free for both TCP and UDP on every address right now (serve's syslog takes both). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const { createSocket } = await import('node:dgram');
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '0.0.0.0', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '0.0.0.0', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** The ports `npm start` (netreflex serve) and `lab:up --appliance` read from the environment, all free. */
export async function freeApplianceEnv(): Promise<Record<string, string>> {
  return {
    NETREFLEX_PORT: String(await freePort()),
    NETREFLEX_SYSLOG_PORT: String(await freePort()),
    NETREFLEX_TRAP_PORT: String(await freePort()),
    NETREFLEX_SFLOW_PORT: String(await freePort()),
  };
}
