// The appliance of a rules node whose throttles are counted in the shared store (throttleCounters):
// a throttled rule's decisions follow the shared counter's verdicts (executed, escalated, throttled,
// also when a hold-down runs out), events that match no throttled rule never ask it, and a claim
// that fails leaves the event undecided until it is decided again, once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';
import { ThrottleBook } from '../../src/rules/throttle.js';
import type { ThrottleClaim, ThrottleCounterRepository } from '../../src/store/repositories/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'nrx-shared-throttle-'));
after(() => rmSync(root, { recursive: true, force: true }));
const open: Appliance[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.stop();
});

function writePack(): string {
  const packs = path.join(root, 'packs');
  const pack = path.join(packs, 't');
  mkdirSync(path.join(pack, 'actions'), { recursive: true });
  mkdirSync(path.join(pack, 'rules'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: t\nname: t\nversion: 0.1.0\ndescription: shared throttle test\n');
  const action = (name: string, params: string): void =>
    writeFileSync(path.join(pack, 'actions', `${name}.yaml`), `name: ${name}\nrunner_type: noop\nenabled: true\nentry_point: ''\nparameters:\n${params}`);
  action('act', '  name: { type: string }\n');
  action('escalate', '  name: { type: string }\n  escalation: { type: object }\n');
  const rule = (name: string, extra: string): void =>
    writeFileSync(
      path.join(pack, 'rules', `${name}.yaml`),
      `name: ${name}\npack: t\nenabled: true\ntrigger:\n  type: core.event\ncriteria:\n  trigger.kind: { type: equals, pattern: ${name} }\n${extra}action:\n  ref: t.act\n  parameters:\n    name: "{{ trigger.name }}"\n`,
    );
  rule('limited', 'throttle: { max: 2, per: 1h, then: t.escalate }\n');
  rule('held', 'hold_down: 300ms\nthrottle: { max: 1, per: 1h }\n');
  rule('free', '');
  return packs;
}
const PACKS = writePack();

/** A shared counter deciding as the embedded ThrottleBook does; `failNext` fails the next claims. */
function counter(): ThrottleCounterRepository & { asked: ThrottleClaim[]; failNext: number } {
  const book = new ThrottleBook();
  const c = {
    asked: [] as ThrottleClaim[],
    failNext: 0,
    claim: async (claims: readonly ThrottleClaim[]) => {
      if (c.failNext > 0) {
        c.failNext--;
        throw new Error('database unreachable');
      }
      c.asked.push(...claims);
      return claims.map((x) => book.decide(x.rule, x.key, { key: null, max: x.max, perMs: x.perMs, per: '', then: x.escalates ? 'x' : null }, x.now));
    },
  };
  return c;
}

async function appliance(counts: ThrottleCounterRepository): Promise<Appliance> {
  const dataDir = mkdtempSync(path.join(root, 'data-'));
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [PACKS] }, {}), log: silentLogger, throttleCounters: counts });
  open.push(a);
  await a.start();
  assert.deepEqual(
    a.content.errors.map((e) => e.message),
    [],
  );
  return a;
}

async function decided(a: Appliance, eventId: string, timeoutMs = 5_000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await a.store.getTriggerInstance(eventId))?.status === 'processed')
      return (await a.store.listEnforcements({ triggerInstanceId: eventId })).map((e) => `${e.ruleRef} ${e.outcome}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`event ${eventId} not decided within ${timeoutMs} ms`);
}

describe('appliance: throttles counted in the shared store', () => {
  test('executed, executed, escalated, throttled, as the shared counter says; each firing asked once', async () => {
    const c = counter();
    const a = await appliance(c);
    const outcomes: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const ev = makeEvent('core.event', { kind: 'limited', name: `n${i}` });
      ids.push(ev.id);
      await a.emit(ev);
      outcomes.push(...(await decided(a, ev.id)));
    }
    assert.deepEqual(outcomes, ['t.limited executed', 't.limited executed', 't.limited escalated', 't.limited throttled']);
    assert.deepEqual(
      c.asked.map((x) => [x.rule, x.key, x.eventId, x.max, x.escalates]),
      ids.map((id) => ['t.limited', 't.limited', id, 2, true]),
    );
    const actions = (await a.store.listExecutions({ parentId: null })).map((x) => x.action).sort();
    assert.deepEqual(actions, ['t.act', 't.act', 't.escalate']);
  });

  test('an event that matches no throttled rule does not ask the shared counter', async () => {
    const c = counter();
    const a = await appliance(c);
    const ev = makeEvent('core.event', { kind: 'free', name: 'x' });
    await a.emit(ev);
    assert.deepEqual(await decided(a, ev.id), ['t.free executed']);
    const none = makeEvent('core.event', { kind: 'nothing', name: 'y' });
    await a.emit(none);
    assert.deepEqual(await decided(a, none.id), []);
    assert.equal(c.asked.length, 0);
  });

  test('a held event, released, is counted by the shared counter', async () => {
    const c = counter();
    const a = await appliance(c);
    const first = makeEvent('core.event', { kind: 'held', name: 'h1' });
    await a.emit(first);
    assert.deepEqual(await decided(a, first.id), ['t.held held']);
    assert.equal(c.asked.length, 0);
    const end = Date.now() + 5_000;
    while ((await a.store.listEnforcements({ triggerInstanceId: first.id })).length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await a.store.listEnforcements({ triggerInstanceId: first.id })).map((e) => e.outcome).sort(), ['executed', 'held']);
    assert.deepEqual(
      c.asked.map((x) => [x.rule, x.eventId]),
      [['t.held', first.id]],
    );
  });

  test('a claim that fails leaves the event undecided; it is decided again, once', async () => {
    const c = counter();
    const a = await appliance(c);
    c.failNext = 1;
    const ev = makeEvent('core.event', { kind: 'limited', name: 'retry' });
    await a.emit(ev);
    assert.deepEqual(await decided(a, ev.id, 10_000), ['t.limited executed']);
    assert.equal(c.asked.length, 1);
    assert.equal((await a.store.listExecutions({ parentId: null })).length, 1);
  });
});
