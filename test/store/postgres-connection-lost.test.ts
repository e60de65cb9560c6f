import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { connectionLost } from '../../src/store/postgres/connection.js';

const pgError = (message: string, code?: string): Error => Object.assign(new Error(message), code ? { code } : {});

test('a lost connection is told from an SQL error, however node-postgres or the server words it', () => {
  const lost = [
    pgError('terminating connection due to administrator command', '57P01'),
    pgError('the database system is shutting down', '57P03'),
    pgError('connection failure during authentication', '08006'),
    pgError('Connection terminated unexpectedly'),
    // a pooled client whose connection broke while it sat idle (seen while PostgreSQL restarted)
    pgError('Client has encountered a connection error and is not queryable'),
    pgError('connect ECONNREFUSED 127.0.0.1:5432'),
    pgError('read ECONNRESET'),
  ];
  for (const e of lost) {
    assert.equal(connectionLost(e), e, e.message);
    // wrapped as the store reports it
    assert.equal(connectionLost(new NrxError('NRX_ERR_STORE', `database x: ${e.message}`, { cause: e })), e, e.message);
  }
  for (const e of [
    pgError('duplicate key value violates unique constraint "executions_pkey"', '23505'),
    pgError('division by zero', '22012'),
    pgError('relation "nope" does not exist', '42P01'),
  ])
    assert.equal(connectionLost(e), undefined, e.message);
});
