// An API node follows the executions other nodes run: ids come from the store's notifications
// and from the bus (where nodes on it announce what they write); the ids of one short while are
// read in one query, those of executions run here are left to the engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followExecutionsElsewhere } from '../../src/appliance/executions-elsewhere.js';
import type { ExecutionFilter } from '../../src/store/store.js';
import type { ExecutionRecord } from '../../src/store/records.js';
import type { WorkQueueRepository } from '../../src/store/repositories/work-queue.js';
import { execution } from '../store/make-records.js';

test('ids from the store and from the bus are read together, once each, and those run here are skipped', async () => {
  let fromStore: (id: string) => void = () => {};
  let fromBus: (id: string) => void = () => {};
  const queries: string[][] = [];
  const store = {
    workQueue: { watchExecutions: (f: (id: string) => void) => void (fromStore = f) } as unknown as WorkQueueRepository,
    listExecutions: async (f: ExecutionFilter): Promise<ExecutionRecord[]> => {
      queries.push([...(f.ids ?? [])].sort());
      return (f.ids ?? []).map((id) => execution(id, { status: 'running', owner: 'worker-1' }));
    },
  };
  const seen: string[] = [];
  await followExecutionsElsewhere({
    store,
    announced: { watchExecutions: async (f) => void (fromBus = f) },
    runsHere: (id) => id === 'here',
    onUpdate: (rec) => seen.push(rec.id),
    readMs: 20,
  });
  fromBus('b1');
  fromStore('s1');
  fromBus('b1'); // a second change of the same one within the while
  fromBus('here');
  fromStore('');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(queries, [['b1', 's1']], 'one query for the while');
  assert.deepEqual(seen.sort(), ['b1', 's1']);
  fromBus('b2');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(queries.at(-1), ['b2'], 'a later change: read again');
});
