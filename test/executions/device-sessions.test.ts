import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { CliRunner } from '../../src/executions/runners/cli.js';
import { ciscoLikeDevice, startReplayServer } from '../drivers/replay-server.js';
import { testAction, testContext } from './runners/helpers.js';

const until = async (what: string, cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

test('the appliance keeps a device CLI session between actions and closes it on stop', async () => {
  const server = await startReplayServer(ciscoLikeDevice('sw1', { 'show version': 'sw1 IOS' }));
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-dev-sessions-'));
  const inventory = path.join(root, 'inventory');
  mkdirSync(inventory);
  writeFileSync(path.join(inventory, 'hosts.yaml'), `sw1:\n  hostname: 127.0.0.1\n  port: ${server.port}\n  platform: ios\n  credential: sw-admin\n`);
  const knownHostsFile = path.join(root, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
  const appliance = new Appliance({
    config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [] }, { NETREFLEX_SESSION_IDLE_MS: '30000' }),
    log: silentLogger,
    knownHostsFile,
  });
  try {
    assert.deepEqual((await appliance.inventory.loadYaml(inventory)).errors, []);
    await appliance.credentials.set('sw-admin', { username: 'admin', password: 'secret-1' });
    const cli = new CliRunner(appliance.devices.cliResolver());
    const action = testAction('cli');
    for (let i = 0; i < 3; i++) {
      const r = await cli.run(action, { device: 'sw1', commands: ['show version'] }, testContext(action));
      assert.equal(r.status, 'succeeded');
      assert.equal((r.result as { results: Array<{ output: string }> }).results[0]!.output, 'sw1 IOS');
    }
    assert.equal(server.sessions, 1, 'three actions, one login');
    assert.equal(server.connections, 1, 'the session stays open between actions');
  } finally {
    await appliance.stop();
  }
  await until('the device sees the session closed after stop', () => server.connections === 0);
  await server.close();
});

test('session pool settings come from the environment; a bad value names the variable', () => {
  assert.deepEqual(loadConfig({ dataDir: '/x' }, {}).sessions, { idleMs: 60_000, maxSessions: 64 });
  assert.deepEqual(loadConfig({ dataDir: '/x' }, { NETREFLEX_SESSION_IDLE_MS: '0', NETREFLEX_SESSION_MAX: '8' }).sessions, { idleMs: 0, maxSessions: 8 });
  assert.throws(() => loadConfig({ dataDir: '/x' }, { NETREFLEX_SESSION_IDLE_MS: '1.5s' }), {
    code: 'NRX_ERR_CONFIG',
    message: /NETREFLEX_SESSION_IDLE_MS.*"1\.5s"/,
  });
  assert.throws(() => loadConfig({ dataDir: '/x' }, { NETREFLEX_SESSION_MAX: '0' }), { code: 'NRX_ERR_CONFIG', message: /NETREFLEX_SESSION_MAX/ });
});
