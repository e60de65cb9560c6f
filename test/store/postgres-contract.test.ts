// The repository contract (contract.ts) on the PostgreSQL store, against a real PostgreSQL 15
// started for this file (test/lab/postgres.ts); each test gets its own database.
import { after, before, describe } from 'node:test';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { storeContract } from './contract.js';

const skip = postgresGuard();

describe('PostgreSQL store', { skip }, () => {
  let server: Postgres;
  let n = 0;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });
  storeContract('PostgreSQL', async () => {
    const url = await server.createDatabase(`contract_${++n}`);
    return {
      store: await openPostgresStore(url),
      openAnother: async () => openPostgresStore(url),
      caughtUp: async (s) => (s as PostgresStore).caughtUp(),
    };
  });
});
