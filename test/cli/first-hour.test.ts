import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../src/cli/api-client.js';
import { cli, liveAppliance, type CliResult, type LiveAppliance } from './cli-harness.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/**
 * The operator's first hour (issue 11): watching executions and events, and the hints a
 * newcomer meets. Through the real CLI against a real API on a free port.
 */
describe('watching and hints, through the CLI', () => {
  let live: LiveAppliance;
  let api: ApiClient;
  let env: Record<string, string>;
  const run = (args: string[], input?: string): Promise<CliResult> => cli(args, env, input);

  /** Emit the event every 300 ms until the command ends: it may subscribe after any one of them. */
  async function whileEmitting(pending: Promise<CliResult>, type: string, payload: Record<string, unknown>): Promise<CliResult> {
    let done = false;
    const result = pending.finally(() => (done = true));
    for (let i = 0; i < 60 && !done; i++) {
      await api.emitEvent(type, payload);
      await Promise.race([result, new Promise((r) => setTimeout(r, 300))]);
    }
    return result;
  }

  before(async () => {
    live = await liveAppliance();
    const { token } = await live.auth.login('admin', live.adminPassword);
    api = new ApiClient({ url: live.url, token });
    env = { NETREFLEX_URL: live.url, NETREFLEX_TOKEN: token, NO_COLOR: '1', XDG_CONFIG_HOME: live.dataDir };
  });
  after(async () => live.close());

  test('execution tail attached late shows the tasks that already ran with their output, then the rest live', async () => {
    const rec = await api.runAction('watch.steps', { pause: 2 });
    // attach once the first task has printed (the second is sleeping)
    for (let i = 0; i < 100; i++) {
      const view = await api.getExecution(rec.id);
      if ((view.tasks ?? []).some((t) => t.taskName === 'second')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run(['execution', 'tail', rec.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^first \| first task output$/m);
    assert.match(r.stdout, /^second \| second task output$/m);
    assert.ok(r.stdout.indexOf('first task output') < r.stdout.indexOf('second task output'), r.stdout);
    assert.match(r.stderr, /task first \(core\.local\): succeeded/);
    assert.match(r.stderr, new RegExp(`execution ${rec.id} succeeded`));
  });

  test('execution tail --json gives task output lines with the task name', async () => {
    const rec = await api.runAction('watch.steps', { pause: 0 });
    const r = await run(['execution', 'tail', rec.id, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; data: { line?: string; taskName?: string } });
    assert.ok(lines.some((m) => m.event === 'log' && m.data.taskName === 'second' && m.data.line === 'second task output'));
    assert.equal(lines.at(-1)!.event, 'end');
  });

  test('execution tail --rule follows the next execution the rule starts', async () => {
    const r = await whileEmitting(run(['execution', 'tail', '--rule', 'watch.on_watch']), 'core.event', { kind: 'watch', device: 'leaf7' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /started by rule watch\.on_watch/);
    assert.match(r.stdout, /^second \| second task output$/m);
  });

  test('execution tail --device follows the next execution on that device, not on another', async () => {
    const pending = run(['execution', 'tail', '--device', 'leaf8']);
    // an execution on another device first: the tail must not take it
    await api.runAction('watch.steps', { pause: 0, device: 'leaf5' });
    const r = await whileEmitting(pending, 'core.event', { kind: 'watch', device: 'leaf8' });
    assert.equal(r.code, 0, r.stderr);
    const started = /execution (\S+) \(watch\.steps\)/.exec(r.stderr);
    assert.ok(started, r.stderr);
    const view = await api.getExecution(started[1]!);
    assert.equal(view.parameters.device, 'leaf8');
  });

  test('execution tail takes a unique prefix of an id; an ambiguous prefix is an error listing the candidates', async () => {
    const a = await api.runAction('core.echo', { message: 'one' });
    const b = await api.runAction('core.echo', { message: 'two' });
    const ok = await run(['execution', 'tail', a.id.slice(0, 22)]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, new RegExp(`execution ${a.id} succeeded`));
    let common = 0;
    while (a.id[common] === b.id[common]) common++;
    const amb = await run(['execution', 'get', a.id.slice(0, common)]);
    assert.equal(amb.code, 2, amb.stderr);
    assert.match(amb.stderr, /ambiguous/);
    assert.ok(amb.stderr.includes(a.id) && amb.stderr.includes(b.id), amb.stderr);
    const none = await run(['execution', 'get', 'zzzzzzzz']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /NRX_ERR_EXECUTION_NOT_FOUND: no execution id starts with 'zzzzzzzz'/);
  });

  test('offline on a data directory, execution get takes a unique prefix too', async () => {
    const rec = await api.runAction('core.echo', { message: 'offline' });
    const r = await cli(['execution', 'get', rec.id.slice(0, 22), '--data-dir', live.dataDir, '--json'], { XDG_CONFIG_HOME: live.dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { id: string }).id, rec.id);
  });

  test('event tail prints one readable line per event; --json one JSON object', async () => {
    const line = await whileEmitting(run(['event', 'tail', '--type', 'core.event', '--device', 'leaf9', '--max', '1']), 'core.event', {
      kind: 'tailtest',
      device: 'leaf9',
      note: 'two words',
    });
    assert.equal(line.code, 0, line.stderr);
    assert.match(line.stdout, /^\d\d:\d\d:\d\d\.\d{3} {2}core\.event {2}leaf9 {2}kind=tailtest note="two words"\n$/);
    const json = await whileEmitting(run(['event', 'tail', '--device', 'leaf9', '--max', '1', '--json']), 'core.event', { kind: 'tailtest', device: 'leaf9' });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { payload: { kind: string } }).payload.kind, 'tailtest');
  });

  test('a wrong password at login says the password was wrong', async () => {
    const r = await cli(['login', '--url', live.url, '--user', 'admin'], { XDG_CONFIG_HOME: live.dataDir, NETREFLEX_PASSWORD: 'not-the-password' });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /wrong password for admin/);
    assert.doesNotMatch(r.stderr, /log in with `netreflex login`/);
  });

  test('/api/v1/health and --version report the version of package.json', async () => {
    const health = (await (await fetch(`${live.url}/api/v1/health`)).json()) as { version: string };
    assert.equal(health.version, PACKAGE_VERSION);
    const v = await cli(['--version']);
    assert.equal(v.stdout.trim(), PACKAGE_VERSION);
  });
});

describe('help and usage errors', () => {
  test('a usage error prints the message and one line on where help is, exit 2', async () => {
    const r = await cli(['execution', 'list', '--bogus']);
    assert.equal(r.code, 2);
    assert.deepEqual(r.stderr.trim().split('\n'), ["error: unknown option '--bogus'", "(run 'netreflex execution list --help' for usage)"]);
    const unknown = await cli(['exeution']);
    assert.equal(unknown.code, 2);
    assert.ok(unknown.stderr.trim().split('\n').length <= 3, unknown.stderr);
    assert.match(unknown.stderr, /Did you mean execution\?/);
  });

  test('login --help shows --url (the global options show in every command)', async () => {
    const r = await cli(['login', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--url <url>/);
  });

  test('netreflex --help lists every command without loading them; help COMMAND loads that one', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const name of ['serve', 'login', 'run', 'execution|ex', 'event', 'parse', 'decode', 'completion'])
      assert.match(top.stdout, new RegExp(`^  ${name.replace('|', '\\|')}\\s`, 'm'));
    const sub = await cli(['help', 'execution']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /tail \[options\] \[id\]/);
  });

  test('parse --list with no platform lists what every platform can parse', async () => {
    const r = await cli(['parse', '--list']);
    assert.equal(r.code, 0, r.stderr);
    const all = JSON.parse(r.stdout) as Array<{ platform: string; commands: Array<{ command: string }> }>;
    const frr = all.find((p) => p.platform === 'frr');
    assert.ok(frr && frr.commands.length > 0, r.stdout);
  });
});
