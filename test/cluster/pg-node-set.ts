// Several `netreflex serve` processes on one real PostgreSQL 15 started here, as the cluster tests
// on PostgreSQL alone (no bus) lay them out: an API node logged in as admin first, then the others
// started by the test, each with its data directory under one temp root (sharing the API node's
// secrets key, as an operator copies it to each node), and a marks/ folder the runner user (not
// root) writes marker files into.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPostgres, type Postgres } from '../lab/postgres.js';
import { bearerCall } from '../api/bearer-call.js';
import { startServeNode, type ServeNode } from './serve-node.js';

export class PgNodeSet {
  readonly nodes = new Map<string, ServeNode>();
  /** Folder for marker files, writable by the runner user. */
  readonly marks: string;
  /** The store's address, and a client on it for the test's own queries. */
  store = '';
  db!: pg.Client;
  private pgServer: Postgres | null = null;
  /** The admin's bearer token on the API node. */
  token = '';
  /** Calls the API node as admin. */
  readonly api = bearerCall(
    () => this.nodes.get('api-1')!.url!,
    () => this.token,
  );

  private constructor(
    readonly root: string,
    private readonly opts: { packs: string; adminPassword: string },
  ) {
    this.marks = path.join(root, 'marks');
  }

  /** PostgreSQL with database `database`, and an API node `api-1` logged in as admin. */
  static async open(opts: { prefix: string; database: string; packs: string; adminPassword: string }): Promise<PgNodeSet> {
    const set = new PgNodeSet(mkdtempSync(path.join(tmpdir(), opts.prefix)), opts);
    // local commands run as the runner user (not root): it writes the marker files in marks/
    chmodSync(set.root, 0o711);
    mkdirSync(set.marks);
    chmodSync(set.marks, 0o1777);
    set.pgServer = await startPostgres();
    set.store = await set.pgServer.createDatabase(opts.database);
    set.db = new pg.Client({ connectionString: set.store });
    await set.db.connect();
    await set.start('api-1', 'api');
    const login = await fetch(`${set.nodes.get('api-1')!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: opts.adminPassword }),
    });
    set.token = ((await login.json()) as { token: string }).token;
    return set;
  }

  private dataDir(name: string): string {
    const d = path.join(this.root, name);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    const key = path.join(this.root, 'api-1', 'secrets.key');
    if (name !== 'api-1' && existsSync(key)) copyFileSync(key, path.join(d, 'secrets.key'));
    return d;
  }

  /** A node with these roles on the shared store (no sensors, API on a free port when it has the role). */
  async start(name: string, role: string, extra: string[] = []): Promise<ServeNode> {
    const n = await startServeNode({
      name,
      dataDir: this.dataDir(name),
      args: ['--role', role, '--store', this.store, '--no-sensors', '--port', '0', '--packs-path', this.opts.packs, '--node-name', name, ...extra],
      env: { NETREFLEX_ADMIN_PASSWORD: this.opts.adminPassword },
    });
    this.nodes.set(name, n);
    return n;
  }

  /** Waits until `cond` holds; fails after `ms` with what every node said. */
  async until(what: string, cond: () => Promise<boolean> | boolean, ms = 60_000, everyMs = 200): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) assert.fail(`timed out: ${what}\n${[...this.nodes.values()].map((n) => `--- ${n.name}\n${n.said()}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async stop(): Promise<void> {
    for (const n of this.nodes.values()) await n.stop().catch(() => {});
    await this.db?.end().catch(() => {});
    await this.pgServer?.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
