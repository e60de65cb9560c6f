import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NrxError } from '../../src/core/errors.js';
import type { Delivery } from '../../src/events/bus.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { MemoryBus } from '../../src/events/memory-bus.js';

function bgp(i: number): EventEnvelope {
  return makeEvent(
    'network.bgp_peer_state_changed',
    { peer: `10.0.0.${i}`, state: 'idle', device: 'leaf1' },
    { id: `ev${String(i).padStart(5, '0')}`, source: 'test' },
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('memory bus', () => {
  test('each group gets every event once, in publish order (sync and async handlers)', async () => {
    const bus = new MemoryBus();
    const rules: string[] = [];
    const waiters: string[] = [];
    await bus.subscribe('rules', (d) => void rules.push(d.event.id));
    await bus.subscribe('workflow-waiters', async (d) => {
      await sleep(Math.random() * 3);
      waiters.push(d.event.id);
      d.ack();
    });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const e = bgp(i);
      ids.push(e.id);
      await bus.publish(e);
    }
    await bus.drain();
    assert.deepEqual(rules, ids);
    assert.deepEqual(waiters, ids);
    await bus.close();
  });

  test('drain resolves at once when idle, and only after async handlers finish when busy', async () => {
    const bus = new MemoryBus();
    await bus.drain();
    let done = 0;
    await bus.subscribe('slow', async () => {
      await sleep(20);
      done++;
    });
    await bus.publish(bgp(1));
    await bus.publish(bgp(2));
    assert.equal(done, 0);
    await bus.drain();
    assert.equal(done, 2);
    await bus.close();
  });

  test('nack redelivers with attempt + 1 after the delay; the first answer wins', async () => {
    const bus = new MemoryBus();
    const seen: [string, number, number][] = [];
    const t0 = Date.now();
    await bus.subscribe('rules', (d) => {
      seen.push([d.event.id, d.attempt, Date.now() - t0]);
      if (d.event.id === bgp(1).id && d.attempt < 3) {
        d.nack(30);
        d.ack(); // ignored: already nacked
      } else {
        d.ack();
        d.nack(); // ignored: already acked
      }
    });
    await bus.publish(bgp(1));
    await bus.publish(bgp(2));
    await bus.drain();
    assert.deepEqual(
      seen.map(([id, attempt]) => [id, attempt]),
      [
        [bgp(1).id, 1],
        [bgp(2).id, 1],
        [bgp(1).id, 2],
        [bgp(1).id, 3],
      ],
    );
    // The delayed event did not hold up the next one, and each retry waited its delay.
    assert.ok(seen[1]![2] < 25, `second event waited ${seen[1]![2]} ms`);
    assert.ok(seen[3]![2] >= 55, `third attempt after ${seen[3]![2]} ms`);
    await bus.close();
  });

  test('a throwing handler gets the event again, before later events', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    let failures = 2;
    await bus.subscribe('rules', async (d) => {
      seen.push(`${d.event.payload.peer}#${d.attempt}`);
      if (d.event.id === bgp(1).id && failures-- > 0) throw new Error('database is locked');
    });
    await bus.publish(bgp(1));
    await bus.publish(bgp(2));
    await bus.drain();
    assert.deepEqual(seen, ['10.0.0.1#1', '10.0.0.1#2', '10.0.0.1#3', '10.0.0.2#1']);
    await bus.close();
  });

  test('after maxAttempts the event is dead-lettered with the last error; other groups are not affected', async () => {
    const bus = new MemoryBus();
    const dead: [string, number, unknown][] = [];
    let attempts = 0;
    let healthy = 0;
    await bus.subscribe(
      'poisoned',
      () => {
        attempts++;
        throw new Error(`boom ${attempts}`);
      },
      { onDeadLetter: (d, err) => dead.push([d.event.id, d.attempt, err]) },
    );
    await bus.subscribe('healthy', () => void healthy++);
    const nackDead: [number, unknown][] = [];
    await bus.subscribe('nacker', (d) => d.nack(), { maxAttempts: 2, onDeadLetter: (d, err) => nackDead.push([d.attempt, err]) });
    await bus.publish(bgp(7));
    await bus.drain();
    assert.equal(attempts, 5); // the default
    assert.equal(dead.length, 1);
    assert.equal(dead[0]![0], bgp(7).id);
    assert.equal(dead[0]![1], 5);
    assert.equal((dead[0]![2] as Error).message, 'boom 5');
    assert.equal(healthy, 1);
    assert.equal(nackDead.length, 1);
    assert.equal(nackDead[0]![0], 2);
    assert.ok(nackDead[0]![1] instanceof NrxError && /nacked 2 times by group 'nacker'/.test(nackDead[0]![1].message));
    await bus.close();
  });

  test('a dead-letter callback that throws does not break the bus', async () => {
    const bus = new MemoryBus();
    let after = 0;
    await bus.subscribe(
      'g',
      (d) => {
        if (d.event.id === bgp(1).id) throw new Error('x');
        after++;
      },
      {
        maxAttempts: 1,
        onDeadLetter: () => {
          throw new Error('callback broke');
        },
      },
    );
    await bus.publish(bgp(1));
    await bus.publish(bgp(2));
    await bus.drain();
    assert.equal(after, 1);
    await bus.close();
  });

  test('type filters: exact refs and pack.*', async () => {
    const bus = new MemoryBus();
    const got: Record<string, string[]> = { bgp: [], network: [], all: [] };
    await bus.subscribe('bgp', (d) => void got.bgp!.push(d.event.type), { types: ['network.bgp_peer_state_changed'] });
    await bus.subscribe('network', (d) => void got.network!.push(d.event.type), { types: ['network.*'] });
    await bus.subscribe('all', (d) => void got.all!.push(d.event.type));
    const types = ['network.bgp_peer_state_changed', 'network.interface_down', 'openstack.port_created', 'networkx.fake'];
    for (const t of types) await bus.publish(makeEvent(t, {}));
    await bus.drain();
    assert.deepEqual(got, { bgp: ['network.bgp_peer_state_changed'], network: ['network.bgp_peer_state_changed', 'network.interface_down'], all: types });
    await bus.close();
  });

  test('one subscriber per group; bad maxAttempts; closed bus refuses work', async () => {
    const bus = new MemoryBus();
    await bus.subscribe('rules', () => {});
    await assert.rejects(
      bus.subscribe('rules', () => {}),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS' && e.message.includes("'rules'"),
    );
    await assert.rejects(
      bus.subscribe('x', () => {}, { maxAttempts: 0 }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS',
    );
    await bus.close();
    await assert.rejects(bus.publish(bgp(1)), (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS');
    await assert.rejects(
      bus.subscribe('late', () => {}),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_BUS',
    );
  });

  test('unsubscribe waits for the handler in progress, stops deliveries, and drain does not hang on dropped work', async () => {
    const bus = new MemoryBus();
    const handled: string[] = [];
    let finished = false;
    const sub = await bus.subscribe('g', async (d) => {
      await sleep(20);
      handled.push(d.event.id);
      finished = true;
    });
    const retrying = await bus.subscribe('r', (d) => d.nack(10_000));
    await bus.publish(bgp(1));
    await bus.publish(bgp(2));
    await sleep(5);
    await sub.unsubscribe();
    assert.equal(finished, true);
    assert.deepEqual(handled, [bgp(1).id]);
    await retrying.unsubscribe(); // clears the 10 s redelivery timers
    await bus.drain();
    // The group name is free again.
    const again: string[] = [];
    await bus.subscribe('g', (d) => void again.push(d.event.id));
    await bus.publish(bgp(3));
    await bus.drain();
    assert.deepEqual(again, [bgp(3).id]);
    await bus.close();
  });

  test('every published event reaches each interested group exactly once, in order, when handlers ack', async () => {
    const typeNames = ['network.bgp_peer_state_changed', 'network.interface_down', 'openstack.port_created', 'core.st2.CronTimer'];
    const groupSpec = fc.record({
      types: fc.option(fc.subarray(['network.*', ...typeNames], { minLength: 1 }), { nil: undefined }),
      async: fc.boolean(),
      failFirst: fc.boolean(), // throw on the first attempt of every third event
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...typeNames), { maxLength: 60 }),
        fc.array(groupSpec, { minLength: 1, maxLength: 4 }),
        async (eventTypes, groups) => {
          const bus = new MemoryBus();
          const acked: string[][] = groups.map(() => []);
          for (const [gi, g] of groups.entries()) {
            const handle = (d: Delivery) => {
              const n = Number(d.event.id.slice(2));
              if (g.failFirst && n % 3 === 0 && d.attempt === 1) throw new Error('transient');
              acked[gi]!.push(d.event.id);
              d.ack();
            };
            await bus.subscribe(`g${gi}`, g.async ? async (d) => (await Promise.resolve(), handle(d)) : handle, g.types ? { types: g.types } : {});
          }
          const events = eventTypes.map((t, i) => makeEvent(t, { i }, { id: `ev${String(i).padStart(5, '0')}` }));
          for (const e of events) await bus.publish(e);
          await bus.drain();
          for (const [gi, g] of groups.entries()) {
            const wanted = events
              .filter((e) => !g.types || g.types.includes(e.type) || (g.types.includes('network.*') && e.type.startsWith('network.')))
              .map((e) => e.id);
            assert.deepEqual(acked[gi], wanted);
          }
          await bus.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  test('throughput: a synchronous handler sees hundreds of thousands of events per second', async () => {
    const bus = new MemoryBus();
    let count = 0;
    await bus.subscribe('rules', () => void count++);
    const events = Array.from({ length: 200_000 }, (_, i) => makeEvent('network.syslog', { message: 'x' }, { id: `e${i}`, time: 't' }));
    const t0 = performance.now();
    for (const e of events) void bus.publish(e);
    await bus.drain();
    const perSecond = count / ((performance.now() - t0) / 1000);
    assert.equal(count, 200_000);
    assert.ok(perSecond > 200_000, `${Math.round(perSecond)} events/s`);
    await bus.close();
  });
});
