import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModuleRunner } from '../../../src/executions/runners/module.js';
import { testAction, testContext } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nrx-module-'));
function moduleAction(file: string, source: string) {
  const full = path.join(dir, file);
  writeFileSync(full, source);
  return testAction('module', {}, { entryPoint: full });
}

describe('module runner', () => {
  const runner = new ModuleRunner();

  test('named run(): the return value is the result, ctx is passed', async () => {
    const a = moduleAction(
      'named.mjs',
      'export async function run(params, ctx) { ctx.log("checking " + params.device); return { device: params.device, exec: ctx.executionId }; }\n',
    );
    const ctx = testContext(a);
    const r = await runner.run(a, { device: 'leaf1', timeout: 5 }, ctx);
    assert.deepEqual(r, { status: 'succeeded', result: { device: 'leaf1', exec: 'exec-1' } });
    assert.deepEqual(ctx.lines, ['checking leaf1']);
  });

  test('default export, and a TypeScript entry point under tsx', async () => {
    const a = moduleAction('default.mjs', 'export default (p) => p.n * 2;\n');
    assert.deepEqual(await runner.run(a, { n: 21 }, testContext(a)), { status: 'succeeded', result: 42 });
    const t = moduleAction('typed.ts', 'export function run(p: { n: number }): number { return p.n + 1; }\n');
    assert.deepEqual(await runner.run(t, { n: 1 }, testContext(t)), { status: 'succeeded', result: 2 });
  });

  test('a thrown error fails the execution with its message', async () => {
    const a = moduleAction('throws.mjs', 'export function run() { throw new Error("peer 10.0.0.2 not found"); }\n');
    const r = await runner.run(a, {}, testContext(a));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.message, 'peer 10.0.0.2 not found');
  });

  test('no run export, or no entry point, is a runner failure naming the file', async () => {
    const a = moduleAction('empty.mjs', 'export const x = 1;\n');
    const r = await runner.run(a, {}, testContext(a));
    assert.equal(r.error?.code, 'NRX_ERR_RUNNER_FAILED');
    assert.match(r.error!.message, /empty\.mjs/);
    const none = await runner.run(testAction('module'), {}, testContext(testAction('module')));
    assert.equal(none.error?.code, 'NRX_ERR_RUNNER_FAILED');
  });

  test('timeout ends the execution and aborts the signal the module sees', async () => {
    const a = moduleAction(
      'slow.mjs',
      'export const seen = { aborted: false };\nexport function run(p, ctx) { return new Promise((res) => { ctx.signal.addEventListener("abort", () => { seen.aborted = true; }); setTimeout(() => res("late"), 5000).unref(); }); }\n',
    );
    const r = await runner.run(a, { timeout: 0.2 }, testContext(a));
    assert.equal(r.status, 'timeout');
    assert.equal(r.error?.code, 'NRX_ERR_TIMEOUT');
    const mod = (await import(a.entryPoint!)) as { seen: { aborted: boolean } };
    assert.equal(mod.seen.aborted, true);
  });
});
