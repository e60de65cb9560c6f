// `netreflex serve --store postgres://...` for real: the appliance keeps its state in a real
// PostgreSQL 15 (started by this test); what one serve process did, the next one (another data
// directory, as on another node) shows through its API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openStore } from '../../src/store/open-store.js';
import { NrxError } from '../../src/core/errors.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { startAppliance } from '../ui/browser.js';

const skip = postgresGuard();

interface Execution {
  id: string;
  status: string;
  action: string;
  result?: unknown;
}

describe('serve --store postgres://', { skip, timeout: 180_000 }, () => {
  let server: Postgres;
  let url: string;
  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase('serve_store');
  });
  after(async () => {
    await server?.stop();
  });

  test('an execution run through one serve is in PostgreSQL and shown by the next serve on another data directory', async () => {
    const first = await startAppliance({ args: ['--no-sensors', '--store', url] });
    let id: string;
    try {
      id = (await first.api<Execution>('POST', '/api/v1/executions', { action: 'core.echo', parameters: { message: 'kept in postgres' } })).id;
      const deadline = Date.now() + 30_000;
      while ((await first.api<Execution>('GET', `/api/v1/executions/${id}`)).status !== 'succeeded') {
        assert.ok(Date.now() < deadline, 'core.echo did not succeed within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await first.stop();
    }
    const direct = await openPostgresStore(url);
    try {
      const rec = await direct.getExecution(id);
      assert.equal(rec?.status, 'succeeded');
      assert.equal(rec?.action, 'core.echo');
    } finally {
      await direct.close();
    }
    const second = await startAppliance({ args: ['--no-sensors', '--store', url] });
    try {
      const seen = await second.api<Execution>('GET', `/api/v1/executions/${id}`);
      assert.equal(seen.status, 'succeeded');
      assert.match(JSON.stringify(seen.result), /kept in postgres/);
    } finally {
      await second.stop();
    }
  });

  test('a --store that is neither sqlite nor a PostgreSQL URL is refused naming the flag, with the password hidden', async () => {
    await assert.rejects(
      openStore('mysql://u:secret@db/x', '/nonexistent'),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_VALIDATION' && /--store/.test(e.message) && !e.message.includes('secret'),
    );
  });

  test('a PostgreSQL that does not answer is NRX_ERR_STORE naming the database without its password', async () => {
    const dead = `postgres://nrxtest:hunter2@127.0.0.1:${server.port + 1}/nowhere`;
    await assert.rejects(openStore(dead, '/nonexistent'), (e) => e instanceof NrxError && e.code === 'NRX_ERR_STORE' && !e.message.includes('hunter2'));
  });
});
