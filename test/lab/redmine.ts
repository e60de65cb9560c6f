/**
 * A real Redmine (Debian's redmine + redmine-sqlite) on loopback for the ticket pack's tests and
 * `lab:up --with redmine`. Each start gets its own SQLite database copied from a template that
 * is bootstrapped once per machine (REST API on, the admin's API key, project `netauto`), so
 * test files never see each other's tickets and a start costs only the server's boot.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { ensurePackages } from './packages.js';
import { pidfilePath, stopPid } from './pids.js';
import { run, sleep } from './run.js';

export const REDMINE_PACKAGES = ['redmine', 'redmine-sqlite'];
const APP = '/usr/share/redmine';
const INSTALLED_DB = '/var/lib/dbconfig-common/sqlite3/redmine/instances/default/redmine_default';
/** The process the pidfile names: `ruby -rwebrick bin/rails server`. */
const PROGRAM = 'ruby';

export interface Redmine {
  url: string;
  apiKey: string;
  /** Project identifier the bootstrap created. */
  project: string;
  /** Id of the issue custom field "Incident key" (string, filterable) the bootstrap created. */
  incidentKeyField: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

export interface RedmineOptions {
  /** Scratch dir (database copy, server log); default a new temp dir, removed on stop. */
  dir?: string;
  /** Where the pidfile goes (a lab's pids dir), so `lab:down` stops the server too. */
  pidDir?: string;
  /** How long the server may take to answer (default 180 s: Rails boots slowly on a busy machine). */
  startTimeoutMs?: number;
}

const BOOTSTRAP = `
key = ENV.fetch("REDMINE_API_KEY")
Setting.rest_api_enabled = "1"
u = User.find_by_login!("admin")
u.must_change_passwd = false
u.save!
Token.where(user_id: u.id, action: "api").delete_all
t = Token.create!(user: u, action: "api")
t.update_column(:value, key) # before_create draws a random value; pin ours afterwards
Project.find_by_identifier("netauto") ||
  Project.create!(name: "NetAuto", identifier: "netauto", is_public: false, enabled_module_names: %w[issue_tracking], tracker_ids: Tracker.pluck(:id))
# where the ticket pack may keep the incident key instead of the subject (is_filter: REST can search it)
IssueCustomField.find_by_name("Incident key") ||
  IssueCustomField.create!(name: "Incident key", field_format: "string", is_for_all: true, is_filter: true, tracker_ids: Tracker.pluck(:id))
puts "bootstrapped"
`;
/** Bumped when BOOTSTRAP changes, so a machine's cached template is made again. */
const BOOTSTRAP_REVISION = 2;

/** Install Redmine with an SQLite database when it is missing (the answers dbconfig asks for, given first). */
export async function installRedmine(): Promise<void> {
  if (!existsSync(INSTALLED_DB)) {
    const answers = ['redmine redmine/instances/default/dbconfig-install boolean true', 'redmine redmine/instances/default/database-type select sqlite3'];
    await run('debconf-set-selections', [], { input: `${answers.join('\n')}\n` });
  }
  await ensurePackages(REDMINE_PACKAGES);
  if (!existsSync(INSTALLED_DB)) throw new NrxError('NRX_ERR_CONFIG', `redmine: installed, but its SQLite database ${INSTALLED_DB} is missing`);
}

/** The bootstrapped template database, made once per machine and Redmine version. */
async function template(apiKey: string): Promise<string> {
  const version = (await run('dpkg-query', ['-W', '-f', '${Version}', 'redmine'])).stdout.trim().replace(/[^\w.+-]/g, '_');
  const file = path.join(os.tmpdir(), `netreflex-redmine-${version}-b${BOOTSTRAP_REVISION}.sqlite3`);
  if (existsSync(file)) return file;
  const work = mkdtempSync(path.join(os.tmpdir(), 'nrx-redmine-template-'));
  try {
    const db = path.join(work, 'redmine.sqlite3');
    copyFileSync(INSTALLED_DB, db);
    writeFileSync(path.join(work, 'bootstrap.rb'), BOOTSTRAP);
    const env = { ...process.env, DATABASE_URL: `sqlite3:${db}`, REDMINE_API_KEY: apiKey, RAILS_ENV: 'production' };
    await run(path.join(APP, 'bin/rails'), ['runner', '-e', 'production', path.join(work, 'bootstrap.rb')], { env, timeoutMs: 300_000 });
    // two test files may build it at once: the rename is atomic, the last one wins, both are equal
    renameSync(db, file);
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The API key every template gets: a fixed test credential on loopback only, never a real one. */
export const REDMINE_TEST_API_KEY = '5e1f0c0ffee0123456789abcdef0123456789abc';

/** Start a Redmine on 127.0.0.1 and a free port; resolves once it answers. */
export async function startRedmine(opts: RedmineOptions = {}): Promise<Redmine> {
  await installRedmine();
  const apiKey = REDMINE_TEST_API_KEY;
  const tpl = await template(apiKey);
  const ownsDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'nrx-redmine-'));
  mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'redmine.sqlite3');
  copyFileSync(tpl, db);
  const port = await freePort();
  const log = openSync(path.join(dir, 'server.log'), 'a');
  const child = spawn(
    'ruby',
    ['-rwebrick', 'bin/rails', 'server', '-u', 'webrick', '-e', 'production', '-b', '127.0.0.1', '-p', String(port), '-P', path.join(dir, 'server.pid')],
    { cwd: APP, env: { ...process.env, DATABASE_URL: `sqlite3:${db}`, RAILS_ENV: 'production' }, stdio: ['ignore', log, log], detached: true },
  );
  child.unref();
  const pid = child.pid!;
  const pidfile = opts.pidDir ? pidfilePath(opts.pidDir, 'redmine', PROGRAM) : null;
  if (pidfile) {
    mkdirSync(path.dirname(pidfile), { recursive: true });
    writeFileSync(pidfile, `${pid}\n`);
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopPid(pid, PROGRAM, { graceMs: 5000 });
    if (pidfile) rmSync(pidfile, { force: true });
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = readFileSync(path.join(dir, 'server.log'), 'utf8').split('\n').slice(-15).join('\n');
      await stop();
      throw new NrxError('NRX_ERR_CONFIG', `redmine: the server exited before answering:\n${tail}`);
    }
    const up = await fetch(`${url}/projects/netauto.json`, { headers: { 'X-Redmine-API-Key': apiKey } }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new NrxError('NRX_ERR_TIMEOUT', `redmine: no answer on ${url} within ${(opts.startTimeoutMs ?? 180_000) / 1000} s (log: ${dir}/server.log)`);
    }
    await sleep(200);
  }
  const fields = (await (await fetch(`${url}/custom_fields.json`, { headers: { 'X-Redmine-API-Key': apiKey } })).json()) as {
    custom_fields: Array<{ id: number; name: string }>;
  };
  const incidentKeyField = fields.custom_fields.find((f) => f.name === 'Incident key')?.id;
  if (incidentKeyField === undefined) {
    await stop();
    throw new NrxError('NRX_ERR_CONFIG', `redmine: the template has no custom field "Incident key" (${tpl}); remove it to have it made again`);
  }
  return { url, apiKey, project: 'netauto', incidentKeyField, pid, dir, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The `skip` option of a Redmine test: Linux with Redmine installed, or root and apt-get to
 * install it. Under CI a reason to skip is a failure, as for the lab.
 */
export function redmineGuard(): string | false {
  let reason: string | false = false;
  if (process.platform !== 'linux') reason = `REDMINE SKIPPED: needs Debian's redmine package (this is ${process.platform})`;
  else if (!existsSync(INSTALLED_DB) && process.getuid?.() !== 0) reason = 'REDMINE SKIPPED: redmine is not installed and only root can install it';
  else if (!existsSync(INSTALLED_DB) && !existsSync('/usr/bin/apt-get')) reason = 'REDMINE SKIPPED: redmine is not installed and there is no apt-get';
  const ci = process.env.CI;
  if (reason && ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
    throw new NrxError('NRX_ERR_CONFIG', `Redmine tests must run under CI, but: ${reason}`);
  if (reason) process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}
