/**
 * Scenario 2 (LAG member failure) on the real lab, 5 times: lagx1 flaps three times (down 1.5 s,
 * up 1.5 s); OVS's syslog, the switch's linkDown traps and sFlow report each down; the rule holds
 * the first for the hold-down (8 s here, from the datastore, so that the three flaps fall in it);
 * the workflow reads the LAG over the switch's SSH login, counts three downs and shuts the member.
 * Between runs the member is brought back and the rule's throttle (one run per member per 10 min)
 * is reset, so that every run is a first failure. Medians of: fault -> event received, hold-down
 * released -> first action started, hold-down released -> member disabled (the goal:
 * < 5 s), first fault -> member disabled.
 */
import { labGuard } from '../lab/guard.js';
import { addLagSwitch, bondShow, MEMBER, restoreBond } from '../lab/lag-scenario.js';
import { sleep, waitFor } from '../lab/run.js';
import { startScenarioRig } from '../lab/scenario-rig.js';
import { median, type BenchResult } from './stats.js';

const RUNS = 5;
const HOLD_DOWN_S = 8;
const STATE_MS = 1_500;

export async function benchScenarioLag(runs = RUNS): Promise<BenchResult[]> {
  const skip = labGuard();
  if (skip) throw new Error(skip);
  const rig = await startScenarioRig({ name: 'bench-lag' });
  const store = rig.appliance.store;
  const at = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);
  const detect: number[] = [];
  const firstAction: number[] = [];
  const disabledAfterHold: number[] = [];
  const disabled: number[] = [];
  const { driver } = await addLagSwitch(rig);
  try {
    await rig.appliance.kv.set('system', 'remediation.lag.hold_down', `${HOLD_DOWN_S}s`);
    for (let i = 0; i < runs; i++) {
      await restoreBond(rig, driver);
      rig.appliance.enforcer.restore({ version: 1, holds: [], throttles: [] });
      await sleep(5_000); // every sensor has seen the member up again (sFlow polls every 2 s)
      const fault = Date.now();
      const since = new Date(fault - 1).toISOString();
      for (let f = 0; f < 3; f++) {
        await rig.lab.fault.lagMemberDown('lagx1');
        await sleep(STATE_MS);
        await rig.lab.fault.lagMemberUp('lagx1');
        await sleep(STATE_MS);
      }
      const run = await waitFor(
        'the LAG remediation',
        async () =>
          (await store.listExecutions({ action: 'remediation.lag_member_down', limit: 20 })).find(
            (e) => e.createdAt >= since && e.parameters.member === MEMBER,
          ),
        60_000,
        20,
      );
      const done = await rig.appliance.engine.wait(run.id);
      const out = (done.result as { output?: { outcome?: string } } | null)?.output;
      if (out?.outcome !== 'repaired') throw new Error(`bench scenario-lag: run ${i + 1} ended ${JSON.stringify(done.result)}`);
      if (!/member lagx1-a: disabled/.test(await bondShow(rig))) throw new Error(`bench scenario-lag: run ${i + 1}: lagx1-a still enabled in bond/show`);
      const event = await store.getTriggerInstance(String(done.context.triggerInstanceId));
      const released = (await store.listEnforcements({ executionId: run.id })).find((e) => e.outcome === 'executed');
      const children = await store.listExecutions({ parentId: run.id, limit: 100 });
      const takeOut = children.find((c) => c.taskName === 'take_out');
      const first = Math.min(...children.map((c) => at(c.startedAt ?? c.createdAt)));
      detect.push(at(event?.time) - fault);
      firstAction.push(first - at(released?.time));
      disabledAfterHold.push(at(takeOut?.endedAt) - at(released?.time));
      disabled.push(at(takeOut?.endedAt) - fault);
    }
  } finally {
    await restoreBond(rig, driver).catch(() => {});
    await driver.close();
    await rig.stop();
  }
  const row = (name: string, xs: number[], goal?: string): BenchResult => ({ name, value: Math.round(median(xs)), unit: 'ms', ...(goal ? { goal } : {}) });
  return [
    row(`scenario 2 LAG (lagx1 flaps 3 times, median of ${runs}): fault -> event received`, detect),
    row(`scenario 2 LAG: hold-down (${HOLD_DOWN_S} s) released -> first action started`, firstAction, '< 1000 ms'),
    row('scenario 2 LAG: hold-down released -> member disabled on the bond', disabledAfterHold, '< 5000 ms'),
    row('scenario 2 LAG: first fault -> member disabled (hold-down included)', disabled),
  ];
}
