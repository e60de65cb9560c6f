/**
 * What the browser tests share: Debian's chromium (installed when missing and we are root),
 * a fresh UI build, a real appliance on a free port with a temp data directory, and a page
 * whose failing steps leave a screenshot behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensurePackages } from '../lab/packages.js';
import { bearerCall, type ApiCall } from '../api/bearer-call.js';

const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];
/** Debian's chromium, and a font so text has a width in screenshots. */
export const BROWSER_PACKAGES = ['chromium', 'fonts-dejavu-core'];

export function findChromium(): string | null {
  const wanted = process.env.NETREFLEX_CHROMIUM;
  if (wanted) return existsSync(wanted) ? wanted : null;
  return CANDIDATES.find((c) => existsSync(c)) ?? null;
}

/** The chromium to drive, or why there is none (the caller skips, loudly). */
export async function chromiumOrReason(): Promise<{ path: string } | { reason: string }> {
  let found = findChromium();
  if (!found && process.getuid?.() === 0) {
    await ensurePackages(BROWSER_PACKAGES);
    found = findChromium();
  }
  if (found) return { path: found };
  return { reason: `no chromium (looked in ${CANDIDATES.join(', ')}; set NETREFLEX_CHROMIUM or, as root, let the test run apt-get install chromium)` };
}

/**
 * Build the UI as `npm ci` would, when a source is newer than the build (a fresh clone's
 * `npm ci` has built it already; two test files starting together then do not both rebuild).
 */
export function buildUi(): void {
  const built = path.join('dist', 'ui', 'index.html');
  const newest = (dir: string): number =>
    Math.max(
      ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)),
    );
  if (existsSync(built) && statSync(built).mtimeMs >= newest('src/ui')) return;
  const r = spawnSync(process.execPath, ['src/ui/build.mjs'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`UI build failed:\n${r.stderr}`);
}

export interface Appliance {
  url: string;
  /** Where each sensor listens, as serve printed it: `syslog/udp` -> port. */
  ports: Record<string, number>;
  dataDir: string;
  adminPassword: string;
  /** An API call as admin with a bearer token (setting things up, not what is tested). */
  api: ApiCall;
  stop(): Promise<void>;
}

export interface ApplianceOptions {
  /** Extra `serve` flags (default: no sensors). */
  args?: string[];
  /** Fills the data directory before serve starts (credentials, known_hosts). */
  prepare?: (dataDir: string) => void | Promise<void>;
}

/** `netreflex serve` as its own process: API on 127.0.0.1:0, the test packs loaded. */
export async function startAppliance(opts: ApplianceOptions = {}): Promise<Appliance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-ui-'));
  await opts.prepare?.(dataDir);
  const adminPassword = 'ui-test-admin-password';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NETREFLEX_')) env[k] = v;
  Object.assign(env, { NETREFLEX_ADMIN_PASSWORD: adminPassword, NETREFLEX_LOG_LEVEL: 'silent' });
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--data-dir', dataDir, '--port', '0', '--packs-path', path.resolve('test/ui/fixtures/packs')];
  const child = spawn(process.execPath, [...args, ...(opts.args ?? ['--no-sensors'])], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s:\n${err}`)), 60_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.includes('waiting for events')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`serve exited:\n${err}`)));
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  const url = /API on (http:\/\/\S+)/.exec(err)![1]!;
  const ports: Record<string, number> = {};
  for (const m of err.matchAll(/sensor (\S+) on \S+:(\d+)/g)) ports[m[1]!] = Number(m[2]);
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  return {
    url,
    ports,
    dataDir,
    adminPassword,
    api: bearerCall(
      () => url,
      () => token,
    ),
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

export async function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Where screenshots of failing steps go (kept after the run; the path is printed). */
export const ARTEFACTS = mkdtempSync(path.join(tmpdir(), 'nrx-ui-artefacts-'));

/**
 * Run one step of a browser test; when it fails, a screenshot of the page at that moment is
 * kept under ARTEFACTS and its path added to the error.
 */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const file = path.join(ARTEFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    (e as Error).message += `\n(screenshot of the failing step: ${file})`;
    throw e;
  }
}

/** A screenshot for the documentation, taken by the tests so it shows what the UI really does. */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync('docs/img', { recursive: true });
  await page.screenshot({ path: path.join('docs/img', `${name}.png`) });
}

export async function logIn(context: BrowserContext, url: string, user: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').waitFor();
  return page;
}
