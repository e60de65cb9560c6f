import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ApiClient } from '../../src/cli/api-client.js';
import { logFormatFor, prettyLine } from '../../src/core/log.js';
import { CLI_MAIN, FIXTURE_PACKS } from './cli-harness.js';

const PASSWORD = 'serve-log-test-password';

/**
 * `netreflex serve` with its stderr captured (not a terminal), the fixture packs, the API on a
 * free port; emits one event the watch pack's rule acts on and returns what serve logged.
 */
async function serveAndEmit(flags: string[]): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-serve-log-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NETREFLEX_')) env[k] = v;
  Object.assign(env, { NETREFLEX_ADMIN_PASSWORD: PASSWORD });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_MAIN, 'serve', '--data-dir', dataDir, '--packs-path', FIXTURE_PACKS, '--port', '0', '--no-sensors', ...flags],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  try {
    for (let i = 0; i < 300 && !err.includes('waiting for events'); i++) await new Promise((r) => setTimeout(r, 100));
    const url = /API on (http:\/\/\S+)/.exec(err)?.[1];
    assert.ok(url, err);
    const { token } = await new ApiClient({ url }).login('admin', PASSWORD);
    const api = new ApiClient({ url, token });
    await api.emitEvent('core.event', { kind: 'watch', device: 'leaf4' });
    // the rule's workflow ends in about a second (the rule asks for a 1 s pause)
    for (let i = 0; i < 200 && !/watch\.steps\W+succeeded/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
    return err;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('serve logs events, rule decisions and executions as readable lines with --log-format pretty; requests only at debug', async () => {
  const err = await serveAndEmit(['--log-format', 'pretty']);
  assert.match(err, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}event core\.event {2}leaf4 {2}kind=watch/m);
  assert.match(err, /^\S+ INFO {2}rule watch\.on_watch: \S+ -> execution \S+ \(watch\.steps\)/m);
  assert.match(err, /^\S+ INFO {2}execution \S+ watch\.steps: succeeded/m);
  assert.doesNotMatch(err, /incoming request|request completed/);
  assert.doesNotMatch(err, /^\{/m);
});

test('serve logs JSON lines when stderr is not a terminal (the default), the same records', async () => {
  const err = await serveAndEmit([]);
  const records = err
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; rule?: string; execution?: string; status?: string });
  assert.ok(
    records.some((r) => r.rule === 'watch.on_watch' && r.msg.startsWith('rule watch.on_watch')),
    err,
  );
  assert.ok(records.some((r) => r.status === 'succeeded' && /watch\.steps/.test(r.msg)));
  assert.ok(!records.some((r) => r.msg === 'incoming request'));
});

test('log format: auto is pretty on a terminal and JSON otherwise; a bad value names the flag', () => {
  assert.equal(logFormatFor(undefined, true), 'pretty');
  assert.equal(logFormatFor('auto', false), 'json');
  assert.equal(logFormatFor('json', true), 'json');
  assert.throws(() => logFormatFor('yaml', true), /--log-format/);
  assert.equal(
    prettyLine({ level: 40, time: Date.parse('2026-01-01T10:11:12.345Z'), msg: 'rule r1 could not start', rule: 'r1', event: 'e 1', pid: 1 }),
    '10:11:12.345 WARN  rule r1 could not start  event="e 1"',
  );
});
