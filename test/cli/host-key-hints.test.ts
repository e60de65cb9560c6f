import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fingerprint, parsePublicKeyLine } from '../../drivers/transports/known-hosts.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../drivers/replay-server.js';
import { cli, liveAppliance, type LiveAppliance } from './cli-harness.js';

/**
 * A device whose host key is not known yet: the error says what to do with flags that exist,
 * and `--trust-new-hosts` shows each key it recorded with its fingerprint.
 */
describe('host keys the operator has not seen yet', () => {
  let live: LiveAppliance;
  let server: ReplayServer;
  const home = mkdtempSync(path.join(tmpdir(), 'nrx-cli-hostkey-'));
  const local = (...args: string[]) =>
    cli(['exec', ...args], { NETREFLEX_DATA_DIR: live.dataDir, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NO_COLOR: '1' });

  before(async () => {
    live = await liveAppliance();
    server = await startReplayServer(ciscoLikeDevice('leaf5', { 'show version': 'leaf5 IOS 15.2' }));
    await live.appliance.credentials.set('lab', { username: 'admin', password: 'secret-1' });
    await live.appliance.inventory.putHost({ name: 'leaf5', hostname: '127.0.0.1', port: server.port, platform: 'cisco_ios', credential: 'lab' });
  });
  after(async () => {
    await live.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('the unknown-host error names the real ways in: ssh-keyscan into the file, or exec --trust-new-hosts', async () => {
    const r = await local('show version', '--on', 'leaf5');
    assert.equal(r.code, 1, r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(out, /NRX_ERR_HOSTKEY_UNKNOWN/);
    assert.match(
      out,
      new RegExp(`ssh-keyscan -p ${server.port} -t ssh-ed25519 127\\.0\\.0\\.1 >> ${path.join(live.dataDir, 'known_hosts').replace(/[/.]/g, '\\$&')}`),
    );
    assert.match(out, /--trust-new-hosts/);
    assert.doesNotMatch(out, /hostKeyPolicy|'tofu'/);
  });

  test('--trust-new-hosts prints each key it added with its fingerprint, once', async () => {
    const expected = fingerprint(parsePublicKeyLine(server.hostPublicKey));
    const r = await local('show version', '--on', 'leaf5', '--trust-new-hosts');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stderr.includes(
        `trusted new host key of leaf5 ([127.0.0.1]:${server.port}): ssh-ed25519 ${expected}, added to ${path.join(live.dataDir, 'known_hosts')}`,
      ),
      r.stderr,
    );
    const again = await local('show version', '--on', 'leaf5', '--trust-new-hosts');
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /trusted new host key/);
  });
});
