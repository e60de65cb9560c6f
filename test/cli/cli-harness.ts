import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startApi } from '../../src/api/server.js';
import { ApiStream } from '../../src/api/stream.js';
import { Appliance } from '../../src/appliance.js';
import { AuthService } from '../../src/auth/auth-service.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { cliEntry } from './cli-entry.js';

/** The real CLI entry; NRX_CLI_MAIN points at another entry while main.ts is being wired. */
export const CLI_MAIN = process.env.NRX_CLI_MAIN ?? path.resolve('src/cli/main.ts');
export const FIXTURE_PACKS = path.resolve('test/fixtures/packs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI as a child process. Asynchronous on purpose: the API it talks to listens in this
 * process, and a synchronous spawn would block it. The caller's NETREFLEX_* settings and config
 * file never leak in: each call gets only the environment given.
 */
export function cli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('NETREFLEX_') && k !== 'NO_COLOR' && k !== 'XDG_CONFIG_HOME') base[k] = v;
  const merged: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  return new Promise((resolve, reject) => {
    const entry = process.env.NRX_CLI_MAIN ? ['--import', 'tsx', CLI_MAIN] : cliEntry();
    const child = spawn(process.execPath, [...entry, ...args], { env: merged, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export interface LiveAppliance {
  url: string;
  dataDir: string;
  /** The admin password `ensureAdmin` generated, as `netreflex serve` prints it once. */
  adminPassword: string;
  appliance: Appliance;
  auth: AuthService;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A real Appliance on a temp data dir with the API listening on a free port. */
export async function liveAppliance(): Promise<LiveAppliance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-cli-api-'));
  const stream = new ApiStream();
  const appliance = new Appliance({
    config: loadConfig({ dataDir, packsPaths: [FIXTURE_PACKS] }, {}),
    log: silentLogger,
    inboxPollMs: 50,
    onExecutionUpdate: (r) => stream.executionUpdated(r),
  });
  await appliance.start();
  const store = appliance.store as SqliteStore;
  const auth = new AuthService(store);
  const first = await auth.ensureAdmin({});
  if (!first.password) throw new Error('ensureAdmin did not generate a password on a new data directory');
  const { app, url } = await startApi(
    {
      appliance,
      inventory: new InventoryService(store),
      kv: appliance.kv,
      credentials: appliance.credentials,
      auth,
      stream,
      reloadContent: async () => void appliance.reloadContent(),
    },
    { host: '127.0.0.1', port: 0 },
  );
  return {
    url,
    dataDir,
    adminPassword: first.password,
    appliance,
    auth,
    app,
    async close() {
      await app.close();
      for (const rec of [...stream.liveExecutions()]) if (!rec.parentId) await appliance.engine.cancel(rec.id).catch(() => {});
      await appliance.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
