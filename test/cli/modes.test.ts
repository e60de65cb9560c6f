import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeClientConfig, clientConfigPath } from '../../src/cli/api-client.js';
import { scopeOf } from '../../src/cli/commands/key.js';
import { EXIT, exitCodeFor } from '../../src/cli/context.js';
import { colorStatus, useColor } from '../../src/cli/output.js';
import { runsInProcess, urlConfigured, useDataDir } from '../../src/cli/remote.js';
import { NrxError } from '../../src/core/errors.js';

const home = mkdtempSync(path.join(tmpdir(), 'nrx-cli-modes-'));
after(() => rmSync(home, { recursive: true, force: true }));

describe('the one rule for local or API mode', () => {
  const none = { XDG_CONFIG_HOME: path.join(home, 'empty') };
  const loggedIn = { XDG_CONFIG_HOME: path.join(home, 'logged-in') };
  writeClientConfig({ url: 'http://nrx:8080', token: 't' }, clientConfigPath(loggedIn));

  test('data directory and no URL: local', () => {
    assert.equal(useDataDir({}, { ...none, NETREFLEX_DATA_DIR: '/d' }), true);
    assert.equal(useDataDir({ dataDir: '/d' }, none), true);
  });
  test('no data directory, or any URL (flag, environment, config file): the API', () => {
    assert.equal(useDataDir({}, none), false);
    assert.equal(useDataDir({ dataDir: '/d', url: 'http://x' }, none), false);
    assert.equal(useDataDir({ dataDir: '/d' }, { ...none, NETREFLEX_URL: 'http://x' }), false);
    assert.equal(useDataDir({ dataDir: '/d' }, loggedIn), false);
    assert.equal(urlConfigured({}, loggedIn), true);
    assert.equal(urlConfigured({}, none), false);
  });
  test('run and rule test: in process unless --remote or a URL is configured', () => {
    assert.equal(runsInProcess({}, none), true);
    assert.equal(runsInProcess({ remote: true }, none), false);
    assert.equal(runsInProcess({}, loggedIn), false);
    assert.equal(runsInProcess({}, { ...none, NETREFLEX_URL: 'http://x' }), false);
  });
});

describe('exit codes', () => {
  test('catalogue codes map to the documented exit codes', () => {
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_API_UNREACHABLE', 'x')), EXIT.unreachable);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_UNAUTHORIZED', 'x')), 3);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_FORBIDDEN', 'x')), 4);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_USAGE', 'x')), 2);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_VALIDATION', 'x')), 2);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_NOT_FOUND', 'x')), 2);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_PARAM_INVALID', 'x')), 2);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_CONFLICT', 'x')), 1);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_INVALID_STATE', 'x')), 1);
    assert.equal(exitCodeFor(new NrxError('NRX_ERR_INTERNAL', 'x')), 1);
    assert.equal(exitCodeFor(new Error('plain')), 1);
  });
});

describe('key scopes', () => {
  test('--scope and --pack become the API scope', () => {
    assert.equal(scopeOf({ scope: 'system' }), 'system');
    assert.equal(scopeOf({ scope: 'user' }), 'user');
    assert.equal(scopeOf({ scope: 'user:ops' }), 'user:ops');
    assert.equal(scopeOf({ scope: 'pack', pack: 'netbox' }), 'pack:netbox');
    assert.throws(() => scopeOf({ scope: 'pack' }), /needs --pack/);
    assert.throws(() => scopeOf({ scope: 'system', pack: 'x' }), /goes with --scope pack/);
    assert.throws(
      () => scopeOf({ scope: 'global' }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_USAGE',
    );
  });
});

describe('colour', () => {
  const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
  after(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  test('only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm';
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    assert.equal(useColor(tty), true);
    assert.equal(useColor(pipe), false);
    process.env.NO_COLOR = '1';
    assert.equal(useColor(tty), false);
    delete process.env.NO_COLOR;
    process.env.TERM = 'dumb';
    assert.equal(useColor(tty), false);
  });
  test('colorStatus leaves text alone when stdout is not a terminal', () => {
    delete process.env.NO_COLOR;
    if (!process.stdout.isTTY) assert.equal(colorStatus('failed'), 'failed');
  });
});
