import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { openApplianceStore } from '../../src/store/open-store.js';
import { BACKGROUND, EXEMPT, LAB_WALK_SECTION, WALK_EXPECT } from '../docs/page-plan.js';
import { buildDist, freeApplianceEnv, PageSession, readerEnv, REPO } from '../docs/run-page.js';
import { shellCommands } from '../docs/shell-blocks.js';
import { labGuard } from './guard.js';
import { ensurePackages } from './packages.js';
import { attachLab, readLabState } from './lab.js';
import { readLock } from './state.js';

const skip = labGuard();

describe("the README's lab walk, verbatim: lab up wired, a BGP fault, the remediation, recovery", { skip, timeout: 900_000 }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'nrx-walk-'));
  let labDir: string | undefined;
  after(async () => {
    // a walk that failed half-way leaves its lab up: take down ours (the lock names its dir), never another test's
    const lock = readLock();
    const state = lock && lock.dir === labDir ? readLabState(lock.dir) : undefined;
    if (state) await attachLab(state).down();
    rmSync(home, { recursive: true, force: true });
  });

  test('lab:up --appliance, npm start, kill bgpd on spine1: the event is held, the workflow runs, spine1 comes back and both remediations succeed', async () => {
    const walk = shellCommands(path.join(REPO, 'README.md')).filter((c) => LAB_WALK_SECTION.test(c.section));
    assert.ok(
      walk.some((c) => c.text === 'npm run lab:up -- --appliance'),
      'the walk brings the lab up wired',
    );
    await ensurePackages(['jq']); // the walk takes the API key out of apikey create's JSON
    buildDist();
    const env = readerEnv(home, {
      ...(await freeApplianceEnv()),
      // the lab this walk starts belongs to this test: other lab tests wait for it, and clean up if this process dies
      NETREFLEX_LAB_HOLDER_PID: String(process.pid),
      ...(process.env.NETREFLEX_LAB_STATE_DIR ? { NETREFLEX_LAB_STATE_DIR: process.env.NETREFLEX_LAB_STATE_DIR } : {}),
    });
    const session = new PageSession(env, home);
    try {
      for (const c of walk) {
        assert.equal(EXEMPT[c.text], undefined, `${c.where}: the walk runs every line`);
        const ready = BACKGROUND[c.text];
        if (ready) await session.start(c, ready);
        else {
          const r = await session.run(c, WALK_EXPECT[c.text]);
          if (c.text.startsWith('npm run lab:up')) {
            labDir = readLock()?.dir;
            assert.match(r.stdout, /appliance\s+data directory .*nrx-lab/);
            assert.match(r.stdout, /sensors\s+syslog udp (\d+), traps udp (\d+), sFlow udp (\d+)/);
            const [, syslog, traps, sflow] = /sensors\s+syslog udp (\d+), traps udp (\d+), sFlow udp (\d+)/.exec(r.stdout) ?? [];
            assert.deepEqual([syslog, traps, sflow], [env.NETREFLEX_SYSLOG_PORT, env.NETREFLEX_TRAP_PORT, env.NETREFLEX_SFLOW_PORT], "the appliance's ports");
          }
        }
      }
    } finally {
      await session.stop();
    }
    // what the walk showed, read from the appliance's store: leaf1's remediation diagnosed, soft-cleared and saw the peer back
    const store = openApplianceStore(path.join(home, 'nrx-lab'));
    try {
      const runs = (await store.listExecutions({ action: 'remediation.bgp_peer_down' })).filter((e) => e.parameters.device === 'leaf1');
      const outcome = (e: (typeof runs)[number]): unknown => (e.result as { output?: { outcome?: unknown } } | null)?.output?.outcome;
      // kill-bgpd: repaired
      const wf = runs.find((e) => outcome(e) === 'repaired');
      assert.ok(wf, `a repaired remediation for leaf1: ${runs.map((e) => outcome(e)).join(', ')}`);
      assert.equal(wf.status, 'succeeded', JSON.stringify(wf.error));
      assert.equal(wf.parameters.peer, '10.0.1.1');
      const tasks = (await store.listTasks(wf.id)).sort((a, b) => a.seq - b.seq).map((t) => `${t.taskName}:${t.status}`);
      assert.ok(tasks.includes('diagnose:succeeded') && tasks.includes('wait_established:succeeded') && tasks.includes('recovered:succeeded'), tasks.join(' '));
      assert.ok(
        tasks.some((t) => t.startsWith('repair')),
        `soft-cleared: ${tasks.join(' ')}`,
      );
      // shutdown-peer: escalated, the ticket step skipped with a note (no ticket system in the walk)
      const esc = runs.find((e) => outcome(e) === 'escalated');
      assert.ok(esc, 'an escalated remediation for leaf1');
      const notes = (esc.result as { output: { notes: string[] } }).output.notes;
      assert.ok(
        notes.some((n) => n.startsWith('ticket skipped: ')),
        JSON.stringify(notes),
      );
    } finally {
      await store.close();
    }
    assert.equal(readLock()?.dir === labDir && labDir !== undefined, false, '`npm run lab:down` took the lab down');
  });
});
