import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../../src/core/errors.js';
import { LocalShellRunner, TIMEOUT_EXIT_CODE } from '../../../src/executions/runners/local-shell-cmd.js';
import { testAction, testContext } from './helpers.js';

const runner = new LocalShellRunner('local-shell-cmd', { killGraceMs: 300 });
const local = testAction('local-shell-cmd', { cmd: { type: 'string' } });
type ShellResult = { stdout: string; stderr: string; return_code: number | null; succeeded: boolean; failed: boolean; stdout_truncated?: boolean };

describe('local-shell-cmd', () => {
  test('success: StackStorm result shape, trailing newline stripped, lines streamed', async () => {
    const ctx = testContext(local);
    const r = await runner.run(local, { cmd: 'echo one; echo two; echo oops >&2' }, ctx);
    assert.equal(r.status, 'succeeded');
    assert.deepEqual(r.result, { stdout: 'one\ntwo', stderr: 'oops', return_code: 0, succeeded: true, failed: false });
    assert.deepEqual(ctx.lines.sort(), ['one', 'stderr: oops', 'two']);
  });

  test('a non-zero exit is a failed execution with the exit code', async () => {
    const r = await runner.run(local, { cmd: 'echo bad >&2; exit 3' }, testContext(local));
    assert.equal(r.status, 'failed');
    const res = r.result as ShellResult;
    assert.equal(res.return_code, 3);
    assert.equal(res.failed, true);
    assert.equal(res.stderr, 'bad');
  });

  test('timeout kills the whole process group', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-shell-'));
    const marker = path.join(dir, 'survived');
    const started = Date.now();
    // The child ignores SIGTERM, so SIGKILL after the grace period is needed; its grandchild must die too.
    const r = await runner.run(local, { cmd: `trap '' TERM; (sleep 2; touch ${marker}) & sleep 30`, timeout: 0.3 }, testContext(local));
    assert.equal(r.status, 'timeout');
    assert.equal(r.error?.code, 'NRX_ERR_TIMEOUT');
    assert.equal((r.result as ShellResult).return_code, TIMEOUT_EXIT_CODE);
    assert.ok(Date.now() - started < 5000);
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(existsSync(marker), false, 'a grandchild outlived the timeout');
  });

  test('cancel through ctx.signal stops the command', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 200);
    const r = await runner.run(local, { cmd: 'sleep 30' }, testContext(local, ac.signal));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_CANCELED');
    assert.ok(Date.now() - started < 3000);
    // An engine-side timeout aborts with an NRX_ERR_TIMEOUT reason and is reported as such.
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(new NrxError('NRX_ERR_TIMEOUT', 'workflow task timed out')), 100);
    const r2 = await runner.run(local, { cmd: 'sleep 30' }, testContext(local, ac2.signal));
    assert.equal(r2.status, 'timeout');
  });

  test('other parameters arrive as ST2_ACTION_* environment variables; env and cwd apply', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-cwd-'));
    const r = await runner.run(
      local,
      {
        cmd: 'printf "%s|%s|%s|%s|%s" "$ST2_ACTION_DEVICE" "$ST2_ACTION_VLANS" "$SITE" "$(pwd)" "$ST2_ACTION_TIMEOUT"',
        device: 'leaf1',
        vlans: [10, 20],
        env: { SITE: 'ams' },
        cwd: dir,
        timeout: 10,
      },
      testContext(local),
    );
    assert.equal(r.status, 'succeeded');
    // Runner parameters (timeout, cwd, env) are not passed as ST2_ACTION_*.
    assert.equal((r.result as ShellResult).stdout, `leaf1|[10,20]|ams|${dir}|`);
  });

  test('a hostile value in a parameter stays inert data', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-inert-'));
    const pwned = path.join(dir, 'pwned');
    const hostile = `$(touch ${pwned}); \`touch ${pwned}\`; ' " ; touch ${pwned} #`;
    const r = await runner.run(local, { cmd: 'printf "%s" "$ST2_ACTION_DESCR"', descr: hostile }, testContext(local));
    assert.equal(r.status, 'succeeded');
    assert.equal((r.result as ShellResult).stdout, hostile);
    assert.equal(existsSync(pwned), false);
  });

  test('sudo is refused, a bad cwd and a NUL byte fail cleanly', async () => {
    let r = await runner.run(local, { cmd: 'id', sudo: true }, testContext(local));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_PARAM_INVALID');
    r = await runner.run(local, { cmd: 'true', cwd: '/definitely/not/here' }, testContext(local));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_RUNNER_FAILED');
    assert.match(r.error!.message, /\/definitely\/not\/here/);
    r = await runner.run(local, { cmd: 'true', note: 'a\u0000b' }, testContext(local));
    assert.equal(r.status, 'failed');
    r = await runner.run(local, { cmd: '' }, testContext(local));
    assert.equal(r.error?.code, 'NRX_ERR_PARAM_INVALID');
  });

  test('captured output is capped and says so', async () => {
    const small = new LocalShellRunner('local-shell-cmd', { outputCapBytes: 1000 });
    const r = await small.run(local, { cmd: 'head -c 100000 /dev/zero | tr "\\0" x' }, testContext(local));
    const res = r.result as ShellResult;
    assert.equal(r.status, 'succeeded');
    assert.equal(res.stdout_truncated, true);
    assert.ok(res.stdout.startsWith('x'.repeat(1000)));
    assert.match(res.stdout, /truncated after 1000 bytes/);
    assert.ok(res.stdout.length < 1100);
  });
});

describe('local-shell-script', () => {
  test('positional parameters by position, the rest as --name=value, never through a shell', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-script-'));
    chmodSync(dir, 0o755); // as root, scripts run as the unprivileged runner user: like a pack, readable by all
    const script = path.join(dir, 'args.sh');
    writeFileSync(script, '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done\nprintf "|%s" "$ST2_ACTION_PEER"\n');
    chmodSync(script, 0o755);
    const action = testAction(
      'local-shell-script',
      { device: { type: 'string', position: 0 }, peer: { type: 'string' }, count: { type: 'integer', position: 1 } },
      { entryPoint: script },
    );
    const scriptRunner = new LocalShellRunner('local-shell-script');
    const r = await scriptRunner.run(action, { device: 'r1; reboot', count: 3, peer: '$(id)', kwarg_op: '--', timeout: 10 }, testContext(action));
    assert.equal(r.status, 'succeeded');
    assert.equal((r.result as ShellResult).stdout, '[r1; reboot][3][--peer=$(id)]|$(id)');
    // A script without the execute bit runs through sh.
    const plain = path.join(dir, 'plain.sh');
    writeFileSync(plain, 'echo plain "$1"\n');
    const r2 = await scriptRunner.run({ ...action, entryPoint: plain }, { device: 'r2' }, testContext(action));
    assert.equal((r2.result as ShellResult).stdout, 'plain r2');
  });
});
