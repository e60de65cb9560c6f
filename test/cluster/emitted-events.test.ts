// Events made on nodes without the rules role, in a cluster on a bus: a webhook called on the API
// node and `POST /api/v1/events` there, and an announcement made by a workflow on a worker node,
// reach the rules node through NATS JetStream (real nats-server and PostgreSQL 15, started here;
// API, rules and worker nodes as separate `netreflex serve` processes). Each is decided once, and
// its rule's action runs on the worker.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { bearerCall } from '../api/bearer-call.js';
import { startServeNode, type ServeNode } from './serve-node.js';

const skip = postgresGuard() || natsGuard();
const ADMIN_PASSWORD = 'emitted-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/emit-packs');

interface Execution {
  id: string;
  action: string;
  status: string;
  parameters: { tag?: string };
  context: { ruleRef?: string; triggerInstanceId?: string };
}

describe('distributed mode on a bus: events made on API and worker nodes reach the rules node', { skip, timeout: 300_000 }, () => {
  let root: string;
  let nats: NatsServer;
  let pgServer: Postgres;
  let store: string;
  const nodes = new Map<string, ServeNode>();
  let token = '';
  let marks = '';

  const start = async (name: string, role: string): Promise<ServeNode> => {
    const dataDir = path.join(root, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // nodes sharing one store share the secrets key, as an operator copies it to each node
    const key = path.join(root, 'api', 'secrets.key');
    if (name !== 'api') copyFileSync(key, path.join(dataDir, 'secrets.key'));
    const n = await startServeNode({
      name,
      dataDir,
      args: ['--role', role, '--bus', nats.url, '--store', store, '--no-sensors', ...(role === 'api' ? ['--port', '0'] : ['--no-api'])].concat([
        '--packs-path',
        PACKS,
        '--node-name',
        name,
      ]),
      env: { NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    nodes.set(name, n);
    return n;
  };
  const api = bearerCall(
    () => nodes.get('api')!.url!,
    () => token,
  );
  const pgQuery = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> => {
    const c = new pg.Client({ connectionString: store });
    await c.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const marksOf = async (): Promise<Execution[]> => (await api<{ items: Execution[] }>('GET', '/api/v1/executions?action=emittest.mark&limit=200')).items;
  const until = async (what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) assert.fail(`timed out: ${what}\n${[...nodes.values()].map((n) => `--- ${n.name}\n${n.said()}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-emitted-'));
    // local commands run as the runner user (not root): it writes the marker files in marks/
    chmodSync(root, 0o711);
    marks = path.join(root, 'marks');
    mkdirSync(marks);
    chmodSync(marks, 0o1777);
    [nats, pgServer] = await Promise.all([startNatsServer(), startPostgres()]);
    store = await pgServer.createDatabase('emitted');
    await start('api', 'api');
    const login = await fetch(`${nodes.get('api')!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    await Promise.all([start('rules', 'rules'), start('worker', 'worker')]);
  });
  after(async () => {
    for (const n of nodes.values()) await n.stop().catch(() => {});
    await Promise.all([nats?.stop(), pgServer?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  test("a webhook called on the API node fires its rule on the rules node, the action runs on the worker, and the workflow's announcement fires a rule too", async () => {
    const marker = path.join(marks, 'hook.log');
    const hook = await api<{ secret: string; header: string; url: string }>('POST', '/api/v1/webhooks', { name: 'emittest', kind: 'generic', auth: 'token' });
    const res = await fetch(`${nodes.get('api')!.url}${hook.url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [hook.header]: hook.secret },
      body: JSON.stringify({ marker, tag: 't1' }),
    });
    assert.equal(res.status, 202, await res.text());
    await until('both marks ran', () => lines(marker).length >= 2);
    // time for a second decision of either event to show, were there one
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(lines(marker), ['hook t1', 'announced t1'], 'the hook, then the announcement made on the worker, each once');
    const flow = (await api<{ items: Execution[] }>('GET', '/api/v1/executions?action=emittest.on_hook&limit=50')).items;
    assert.deepEqual(
      flow.map((e) => [e.context.ruleRef, e.status]),
      [['emittest.on_hook', 'succeeded']],
    );
    const announced = (await marksOf()).filter((e) => e.context.ruleRef === 'emittest.on_announcement');
    assert.deepEqual(
      announced.map((e) => e.status),
      ['succeeded'],
    );
    // run by the worker node, which owns them in the store
    const owners = await pgQuery<{ owner: string | null }>('SELECT DISTINCT owner FROM executions WHERE id = ANY($1)', [[flow[0]!.id, announced[0]!.id]]);
    assert.deepEqual(
      owners.map((r) => r.owner),
      ['worker'],
      JSON.stringify(await pgQuery('SELECT id, action, owner, status, parent_id FROM executions', [])),
    );
    // the announcement was made by the workflow's task (only the worker node runs executions) and decided by the rules node
    const event = await api<{ type: string; status: string; source: string }>('GET', `/api/v1/events/${announced[0]!.context.triggerInstanceId}`);
    assert.deepEqual([event.type, event.status, event.source], ['core.announcement', 'processed', 'action:emittest.announce']);
    assert.match(nodes.get('rules')!.said(), /events from the bus/);
  });

  test('two events alike posted to the API node are two events, each decided once', async () => {
    const marker = path.join(marks, 'poke.log');
    const posted: string[] = [];
    for (let i = 0; i < 2; i++)
      posted.push((await api<{ id: string }>('POST', '/api/v1/events', { type: 'emittest.poke', payload: { marker, tag: 'same' } })).id);
    assert.notEqual(posted[0], posted[1]);
    await until('both pokes ran', () => lines(marker).length >= 2);
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(lines(marker), ['poke same', 'poke same']);
    const runs = (await marksOf()).filter((e) => e.context.ruleRef === 'emittest.on_poke');
    assert.deepEqual(runs.map((e) => e.context.triggerInstanceId).sort(), [...posted].sort(), 'one run per event');
    for (const id of posted) assert.equal((await api<{ status: string }>('GET', `/api/v1/events/${id}`)).status, 'processed');
  });
});
