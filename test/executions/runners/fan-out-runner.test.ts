import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionSpec, Runner, RunContext, RunResultOk } from '../../../src/executions/action.js';
import { FanOutRunner } from '../../../src/executions/runners/fan-out-runner.js';

const action = { ref: 'network.show', runnerType: 'cli' } as ActionSpec;
const ctx = (): RunContext => ({ executionId: 'x', action, signal: new AbortController().signal, log: () => {}, traceId: null });

/** A device runner that fails on the devices it is told to, and records how many run at once. */
function fakeRunner(failing: Set<string>) {
  let inFlight = 0;
  const seen = { max: 0, devices: [] as string[] };
  const runner: Runner = {
    runnerType: 'cli',
    aliases: [],
    parameters: {},
    async run(_a, params): Promise<RunResultOk> {
      const device = String(params.device);
      seen.devices.push(device);
      inFlight++;
      seen.max = Math.max(seen.max, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return failing.has(device)
        ? { status: 'failed', result: { device }, error: { code: 'NRX_ERR_AUTH', message: `device ${device}: authentication failed` } }
        : { status: 'succeeded', result: { device, output: 'ok' } };
    },
  };
  return { runner, seen };
}

test('on=FILTER runs every selected device: 197 ok and 3 clear failures, never one exception', async () => {
  const names = Array.from({ length: 200 }, (_, i) => `leaf${i}`);
  const { runner, seen } = fakeRunner(new Set(['leaf7', 'leaf42', 'leaf199']));
  const fan = new FanOutRunner(runner, async (filter) => (filter === 'role=leaf' ? names : []));
  const r = await fan.run(action, { on: 'role=leaf', concurrency: 25, commands: ['show version'] }, ctx());
  const result = r.result as { ok: number; failed: number; devices: Array<{ device: string; ok: boolean; error?: { code: string; message: string } }> };
  assert.equal(result.ok, 197);
  assert.equal(result.failed, 3);
  assert.equal(r.status, 'failed');
  assert.deepEqual(
    result.devices.filter((d) => !d.ok).map((d) => [d.device, d.error!.code]),
    [
      ['leaf7', 'NRX_ERR_AUTH'],
      ['leaf42', 'NRX_ERR_AUTH'],
      ['leaf199', 'NRX_ERR_AUTH'],
    ],
  );
  assert.deepEqual(
    result.devices.map((d) => d.device),
    names,
    'results in inventory order',
  );
  assert.ok(seen.max <= 25 && seen.max > 1, `at most 25 at once (saw ${seen.max})`);
});

test('without on it is the plain device runner; a filter that selects nothing fails clearly', async () => {
  const { runner } = fakeRunner(new Set());
  const fan = new FanOutRunner(runner, async () => []);
  assert.equal((await fan.run(action, { device: 'r1' }, ctx())).status, 'succeeded');
  const none = await fan.run(action, { on: 'site=nowhere' }, ctx());
  assert.equal(none.status, 'failed');
  assert.equal(none.error?.code, 'NRX_ERR_DEVICE_NOT_FOUND');
  await assert.rejects(fan.run(action, { on: 'role=leaf', device: 'r1' }, ctx()), /either 'device' or 'on'/);
});
