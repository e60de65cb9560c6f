/**
 * A real PostgreSQL (Debian's postgresql 15) for a test: a fresh cluster in a temp dir on a free
 * loopback port, trust authentication for one user, fsync off (a test's data is thrown away),
 * stopped and removed by `stop()`. initdb refuses root, so the cluster is made and run as the
 * `postgres` system user the package creates.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { ensurePackages } from './packages.js';
import { run } from './run.js';
import { freePort } from './ssh.js';

export const POSTGRES_PACKAGES = ['postgresql'];
const USER = 'nrxtest';

export interface Postgres {
  /** postgres://nrxtest@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** A new empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: every client is disconnected), waits `downMs`, starts it again with its data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new NrxError('NRX_ERR_CONFIG', `no PostgreSQL server under ${base} (apt-get install postgresql)`);
  return path.join(base, versions[0]!, 'bin');
}

async function asPostgres(cmd: string, args: string[]): Promise<void> {
  const r = await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { allowFail: true, timeoutMs: 60_000 });
  if (r.code !== 0) throw new NrxError('NRX_ERR_CONFIG', `${path.basename(cmd)} failed (${r.code}): ${r.stderr || r.stdout}`);
}

export async function startPostgres(): Promise<Postgres> {
  await ensurePackages(POSTGRES_PACKAGES);
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-pg-'));
  chmodSync(dir, 0o700);
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const stop = async (): Promise<void> => {
    if (existsSync(path.join(data, 'postmaster.pid')))
      await asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  const pgStart = (): Promise<void> =>
    asPostgres(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'postgres.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      '-w',
      'start',
    ]);
  try {
    await asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await pgStart();
  } catch (e) {
    await stop();
    throw e;
  }
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name) {
      if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new NrxError('NRX_ERR_VALIDATION', `database name ${name}: lower-case letters, digits and _`);
      const r = await run(
        'psql',
        ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`],
        { allowFail: true },
      );
      if (r.code !== 0) throw new NrxError('NRX_ERR_CONFIG', `CREATE DATABASE ${name}: ${r.stderr}`);
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    async restart(downMs = 0) {
      await asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await pgStart();
    },
    stop,
  };
}

/** The `skip` option of a PostgreSQL test: Linux, and root (to install it and to run the server as user postgres). Under CI a reason is a failure. */
export function postgresGuard(): string | false {
  let reason: string | false = false;
  if (process.platform !== 'linux') reason = `POSTGRESQL SKIPPED: needs Debian's postgresql package (this is ${process.platform})`;
  else if (process.getuid?.() !== 0) reason = 'POSTGRESQL SKIPPED: run as root (sudo npm test) to install PostgreSQL and start it as user postgres';
  const ci = process.env.CI;
  if (reason && ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
    throw new NrxError('NRX_ERR_CONFIG', `PostgreSQL tests must run under CI, but: ${reason}`);
  if (reason) process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}
