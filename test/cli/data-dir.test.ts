import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { liveServe } from '../security/live-serve.js';
import { cli } from './cli-harness.js';

/** No command creates a data directory silently: the ones that make one say where and why; readers refuse a missing one. */
describe('data directories are never created silently', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-datadir-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const env = (dataDir: string): Record<string, string> => ({
    NETREFLEX_DATA_DIR: dataDir,
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    HOME: tmp,
    NO_COLOR: '1',
  });

  test('run in this process on a new directory says it creates one, where and why; the second run says nothing', async () => {
    const dir = path.join(tmp, 'run');
    const first = await cli(['run', 'core.noop'], env(dir));
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      new RegExp(`creating a new data directory at ${dir} \\(to record the execution of core\\.noop run in this process; --remote runs it in the appliance\\)`),
    );
    const again = await cli(['run', 'core.noop'], env(dir));
    assert.doesNotMatch(again.stderr, /creating a new data directory/);
  });

  test('serve on a new directory says where it creates the appliance and why', async () => {
    const serve = await liveServe([]);
    try {
      assert.match(
        serve.stderr(),
        /creating a new data directory at \S*nrx-sec-serve-\S+ \(for the appliance's database, secrets key, known hosts and installed packs\)/,
      );
    } finally {
      await serve.stop();
    }
  });

  test('credential set on a new directory says so', async () => {
    const dir = path.join(tmp, 'cred');
    const r = await cli(['credential', 'set', 'lab', '--username', 'admin', '--password-stdin'], env(dir), 'pw\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`creating a new data directory at ${dir} \\(for the encrypted credential store and its key\\)`));
  });

  test('event list|emit and execution list|get on a directory that does not exist are refused, and it stays absent', async () => {
    const dir = path.join(tmp, 'typo');
    for (const args of [
      ['event', 'list'],
      ['event', 'emit', 'core.event', 'x=1'],
      ['execution', 'list'],
      ['execution', 'get', '01j00000000000000000000000'],
    ]) {
      const r = await cli(args, env(dir));
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /no appliance database \(netreflex\.db\) in .*typo/);
    }
    assert.equal(existsSync(dir), false);
  });
});
