// A worker hears from the bus only the trigger types its workflows wait for: subscribed when a
// task starts waiting for a type, kept while any does and for a while after, then dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitedEvents } from '../../src/appliance/waited-events.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';

function setup(opts: { failFirst?: boolean } = {}) {
  let clock = 0;
  const waiting = new Map<string, number>();
  let firstWait: (t: string) => void = () => {};
  const delivered: string[] = [];
  const subs: Array<{ type: string; handle: (e: EventEnvelope) => void; stopped: boolean }> = [];
  const errors: string[] = [];
  let fail = opts.failFirst ?? false;
  const w = new WaitedEvents({
    watchEvents: async (type, handle) => {
      if (fail) {
        fail = false;
        throw new Error('bus down');
      }
      const s = { type, handle, stopped: false };
      subs.push(s);
      return { stop: async () => void (s.stopped = true) };
    },
    engine: {
      onFirstWait: (l) => void (firstWait = l),
      isWaitingFor: (t) => (waiting.get(t) ?? 0) > 0,
      deliverEvent: (e) => void delivered.push(e.type),
    },
    lingerMs: 1_000,
    now: () => clock,
    onError: (_e, t) => void errors.push(t),
  });
  const wait = (t: string): void => {
    const n = (waiting.get(t) ?? 0) + 1;
    waiting.set(t, n);
    if (n === 1) firstWait(t);
  };
  const done = (t: string): void => void waiting.set(t, (waiting.get(t) ?? 1) - 1);
  return { w, subs, delivered, errors, wait, done, tick: (ms: number) => void (clock += ms) };
}

const ev = (type: string) => makeEvent(type, {}, { source: 'test', device: 'r1' });

test('a type is subscribed when a task first waits for it, once, and its events reach the engine', async () => {
  const t = setup();
  assert.deepEqual(t.w.types, []);
  t.wait('network.bgp_peer_state_changed');
  t.wait('network.bgp_peer_state_changed');
  t.wait('network.lag_member_up');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    t.subs.map((s) => s.type),
    ['network.bgp_peer_state_changed', 'network.lag_member_up'],
  );
  t.subs[0]!.handle(ev('network.bgp_peer_state_changed'));
  assert.deepEqual(t.delivered, ['network.bgp_peer_state_changed']);
  await t.w.stop();
  assert.ok(t.subs.every((s) => s.stopped));
});

test('a type is dropped once no task has waited for it for the linger time, and subscribed again when one does', async () => {
  const t = setup();
  t.wait('a.b');
  await new Promise((r) => setImmediate(r));
  t.tick(5_000);
  await t.w.sweep();
  assert.deepEqual(t.w.types, ['a.b'], 'still waited for: kept');
  t.done('a.b');
  t.tick(500);
  await t.w.sweep();
  assert.deepEqual(t.w.types, ['a.b'], 'within the linger time: kept');
  t.tick(600);
  await t.w.sweep();
  assert.deepEqual(t.w.types, [], 'dropped');
  assert.equal(t.subs[0]!.stopped, true);
  t.wait('a.b');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(t.w.types, ['a.b']);
  assert.equal(t.subs.length, 2);
  await t.w.stop();
});

test('a subscription the bus refuses is reported and tried again by the next task that waits', async () => {
  const t = setup({ failFirst: true });
  t.wait('a.b');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(t.errors, ['a.b']);
  assert.deepEqual(t.w.types, []);
  t.done('a.b');
  t.wait('a.b');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(t.w.types, ['a.b']);
  await t.w.stop();
});
