import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApi } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/api-client.js';
import { NrxError } from '../../src/core/errors.js';
import { harness } from './harness.js';

test('startApi listens on 127.0.0.1 by default (port 0: a free one) and serves the same app', async () => {
  const h = await harness();
  const { app, url } = await startApi(
    { appliance: h.appliance, inventory: h.inventory, kv: h.kv, credentials: null as never, auth: h.auth, stream: h.stream },
    { port: 0 },
  );
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new ApiClient({ url, apiKey: h.keys.observer });
    assert.equal((await client.health()).status, 'ok');
    assert.equal((await client.whoami()).role, 'observer');
    const port = Number(new URL(url).port);
    await assert.rejects(
      startApi({ appliance: h.appliance, inventory: h.inventory, kv: h.kv, credentials: null as never, auth: h.auth }, { port }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_CONFIG',
    );
  } finally {
    await app.close();
    await h.close();
  }
});
