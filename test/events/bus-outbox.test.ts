import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BusOutbox } from '../../src/events/bus-outbox.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("a sensor node's outbox", () => {
  test('while the bus is down every event waits and is sent once it is back, oldest first; failures are counted as retries, not losses', async () => {
    let up = false;
    const delivered: number[] = [];
    const errors: boolean[] = [];
    const box = new BusOutbox<number>(
      async (n) => {
        await sleep(1);
        if (!up) throw new Error('no responders');
        delivered.push(n);
      },
      (_e, _n, lost) => errors.push(lost),
      { window: 4, retryMs: 20 },
    );
    for (let i = 0; i < 50; i++) box.offer(i);
    await sleep(100);
    assert.equal(delivered.length, 0);
    assert.equal(box.buffered, 50);
    up = true;
    await box.close(5_000);
    assert.deepEqual(
      [...delivered].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.ok(box.counts.retries > 0);
    assert.equal(box.counts.lost, 0);
    assert.ok(errors.every((lost) => !lost));
    // the oldest go first once it is back: the first five sent are among the first ten offered
    assert.ok(
      delivered.slice(0, 5).every((n) => n < 10),
      delivered.slice(0, 10).join(','),
    );
  });

  test('a full outbox drops the newest event and counts it lost', async () => {
    const lost: number[] = [];
    const box = new BusOutbox<number>(
      () => new Promise(() => {}), // a bus that never answers
      (_e, n, isLost) => isLost && lost.push(n),
      { maxBuffered: 10, window: 2 },
    );
    for (let i = 0; i < 15; i++) box.offer(i);
    assert.equal(box.buffered, 10);
    assert.deepEqual(lost, [10, 11, 12, 13, 14]);
    assert.equal(box.counts.lost, 5);
    // stopping with events still waiting counts them lost too
    await box.close(50);
    assert.equal(box.counts.lost, 5 + 8);
  });

  test('when the bus is up, events pass straight through with nothing left waiting', async () => {
    const seen: number[] = [];
    const box = new BusOutbox<number>(
      async (n) => void seen.push(n),
      () => assert.fail('no error expected'),
    );
    for (let i = 0; i < 1_000; i++) box.offer(i);
    await box.close();
    assert.equal(seen.length, 1_000);
    assert.equal(box.buffered, 0);
    assert.deepEqual(box.counts, { retries: 0, lost: 0 });
  });
});
