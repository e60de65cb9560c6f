import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAppliance, type AssembledAppliance } from '../../src/assembly.js';
import { AuthService } from '../../src/auth/auth-service.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { spawnSync } from 'node:child_process';
import { IrcUser } from '../chat/irc-user.js';
import { startNgircd, type Ngircd } from '../chat/ngircd.js';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';

const skip = labGuard();
const CHANNEL = '#noc';
const BOT = 'nrxbot';

describe('chat bot against the lab: !bgp summary leaf1 reads the real FRR router', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let irc: Ngircd;
  let dataDir: string;
  let assembled: AssembledAppliance;
  let alice: IrcUser;

  before(async () => {
    lab = await labUp();
    await lab.waitEstablished('leaf1', undefined, 60_000);
    irc = await startNgircd();
    dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-chatlab-'));
    mkdirSync(path.join(dataDir, 'configs'));
    copyFileSync(lab.knownHostsPath, path.join(dataDir, 'known_hosts'));
    writeFileSync(
      path.join(dataDir, 'configs', 'chatops.yaml'),
      `bot:\n  enabled: true\n  users: {alice: alice}\n  irc: {host: ${irc.host}, port: ${irc.port}, nick: ${BOT}, channels: ["${CHANNEL}"]}\n`,
    );
    // the lab's logins into the appliance's encrypted store, as an operator would import them
    const imported = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), 'credential', 'import', lab.credentialsPath], {
      encoding: 'utf8',
      env: { ...process.env, NETREFLEX_DATA_DIR: dataDir },
    });
    assert.equal(imported.status, 0, imported.stderr);
    assembled = buildAppliance({ config: loadConfig({ dataDir }, {}), api: null, sensors: null, inventoryDir: lab.inventoryDir, log: silentLogger });
    await new AuthService(assembled.appliance.store).createUser({ name: 'alice', password: 'alice-password-1', role: 'operator' });
    await assembled.start();
    alice = new IrcUser('alice');
    await alice.connect(irc.host, irc.port, CHANNEL);
  });
  after(async () => {
    alice?.close();
    await assembled?.stop();
    await irc?.stop();
    await lab?.down();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the shipped alias runs network.get_bgp_neighbors on leaf1 and posts the parsed table', async () => {
    alice.say(CHANNEL, '!bgp summary leaf1');
    const lines = await alice.hear(BOT, (l) => l.some((x) => /^alice: BGP summary of leaf1:/.test(x)) && l.some((x) => /^10\.0\.1\.1 /.test(x)), 0, 60_000);
    assert.match(lines[0]!, /^alice: Reading the BGP neighbors of leaf1\.\.\./);
    assert.ok(
      lines.some((x) => /^10\.0\.1\.1 {2}AS65000 {2}established {2}\d+ prefixes/.test(x)),
      lines.join('\n'),
    );
  });
});
