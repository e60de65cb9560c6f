import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollOnLeader, type LeaderDuty } from '../../src/appliance/pollers-on-leader.js';
import { silentLogger } from '../../src/core/log.js';
import type { Leadership } from '../../src/store/store.js';

/** A leadership the test hands out and takes back. */
function leadership(): Leadership & { set(leader: boolean): void } {
  const listeners: Array<(leader: boolean) => void> = [];
  let leader = false;
  return {
    get isLeader() {
      return leader;
    },
    watch: (l) => void listeners.push(l),
    close: async () => {},
    set(v: boolean) {
      leader = v;
      for (const l of listeners) l(v);
    },
  };
}

/** Pollers that record what was asked of them; start and stop take a while, as real ones do. */
function pollers(): LeaderDuty & { log: string[]; running: boolean } {
  const p = {
    log: [] as string[],
    running: false,
    size: 2,
    errors: [{ code: 'NRX_ERR_VALIDATION', message: 'pollers/bad.yaml:3: interval: not a duration' }],
    async start() {
      p.log.push('start');
      await new Promise((r) => setTimeout(r, 20));
      p.running = true;
    },
    async stop() {
      p.log.push('stop');
      await new Promise((r) => setTimeout(r, 5));
      p.running = false;
    },
  };
  return p;
}

test('pollers run on the timer leader only: started when this node leads, stopped when it stops leading, in that order', async () => {
  const lead = leadership();
  const p = pollers();
  const said: string[] = [];
  const duty = pollOnLeader(lead, p, silentLogger, (s) => said.push(s));
  await duty.settled();
  assert.deepEqual(p.log, [], 'not the leader: nothing polls here');
  lead.set(true);
  // lost and won again before the first start finished: each change is carried out in turn
  lead.set(false);
  lead.set(true);
  await duty.settled();
  assert.deepEqual(p.log, ['start', 'stop', 'start']);
  assert.equal(p.running, true);
  assert.ok(said.includes('netreflex: timer leader: 2 poller(s) running on this node'), said.join('\n'));
  assert.ok(
    said.some((s) => s.includes('pollers/bad.yaml:3')),
    'a definition that did not load is named',
  );
  lead.set(false);
  await duty.settled();
  assert.equal(p.running, false);
});

test('a failing start is logged and the next leadership change is still carried out', async () => {
  const lead = leadership();
  const p = pollers();
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) } as typeof silentLogger;
  p.start = async () => {
    p.log.push('start');
    throw new Error('inventory unreadable');
  };
  const duty = pollOnLeader(lead, p, log, () => {});
  lead.set(true);
  lead.set(false);
  await duty.settled();
  assert.deepEqual(p.log, ['start', 'stop']);
  assert.match(warnings.join('\n'), /start on a leadership change failed/);
});
