/**
 * Scenario 1 (BGP peer down) on the real lab, 5 times: a router's bgpd is killed (spine1's, then
 * leaf1's, then leaf2's, in turn); its neighbor's FRR logs the drop; the appliance's syslog sensor receives it; the shipped rule fires (hold-down set
 * to 0 in the datastore for this bench, so detection -> first action has no deliberate wait);
 * the workflow diagnoses and soft-clears the neighbor; bgpd is started again as soon as the workflow
 * waits for the session; the session is Established again. Medians of: fault -> event received,
 * event -> first action started, fault -> Established again, fault -> remediation ended (repaired).
 */
import { labGuard } from '../lab/guard.js';
import { startScenarioRig } from '../lab/scenario-rig.js';
import { median, type BenchResult } from './stats.js';

const RUNS = 5;
/**
 * Whose bgpd dies, and which router's session to it is watched. The rule allows 3 runs an hour
 * per device and peer (the 4th only escalates), so the faults take turns.
 */
const FAULTS = [
  { kill: 'spine1', device: 'leaf1', peer: '10.0.1.1' },
  { kill: 'leaf1', device: 'spine1', peer: '10.0.1.2' },
  { kill: 'leaf2', device: 'spine1', peer: '10.0.2.2' },
] as const;

export async function benchScenarioBgp(runs = RUNS): Promise<BenchResult[]> {
  const skip = labGuard();
  if (skip) throw new Error(skip);
  const rig = await startScenarioRig({ name: 'bench-bgp' });
  const store = rig.appliance.store;
  const at = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);
  // a repeat of the same event within the storm window is folded into the earlier row: its time is lastTime
  const seen = (e: { time: string; lastTime?: string | null }): string => e.lastTime ?? e.time;
  const until = async <T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await get();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`bench scenario-bgp: no ${what} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const detect: number[] = [];
  const firstAction: number[] = [];
  const established: number[] = [];
  const repaired: number[] = [];
  try {
    await rig.appliance.kv.set('system', 'remediation.bgp.hold_down', '0');
    await rig.appliance.kv.set('system', 'remediation.bgp.recovery_timeout', '60s');
    for (let i = 0; i < runs; i++) {
      const { kill, device, peer } = FAULTS[i % FAULTS.length]!;
      for (const r of ['leaf1', 'leaf2', 'spine1']) await rig.lab.waitEstablished(r, undefined, 30_000);
      await new Promise((r) => setTimeout(r, 3000)); // settled: a drop right after Up is not logged as Down by FRR
      const fault = Date.now();
      const since = new Date(fault - 1).toISOString();
      await rig.lab.fault.killBgpd(kill);
      const down = await until(`down event for ${device}`, async () =>
        (await store.listTriggerInstances({ type: 'network.bgp_peer_state_changed', limit: 20 })).find(
          (e) => seen(e) >= since && e.payload.device === device && e.payload.peer === peer && e.payload.state !== 'established',
        ),
      );
      const run = await until(`remediation for ${device}`, async () =>
        (await store.listExecutions({ action: 'remediation.bgp_peer_down', limit: 20 })).find(
          (e) => e.createdAt >= since && e.parameters.device === device && e.parameters.peer === peer,
        ),
      );
      await until('the wait for the session', async () => ((await store.listTasks(run.id)).some((t) => t.taskName === 'wait_established') ? true : undefined));
      await rig.lab.fault.startBgpd(kill);
      const done = await rig.appliance.engine.wait(run.id);
      const up = await until(`established event for ${device}`, async () =>
        (await store.listTriggerInstances({ type: 'network.bgp_peer_state_changed', limit: 20 })).find(
          (e) => seen(e) >= since && e.payload.device === device && e.payload.peer === peer && e.payload.state === 'established',
        ),
      );
      const children = await store.listExecutions({ parentId: run.id, limit: 100 });
      const first = Math.min(...children.map((c) => at(c.startedAt ?? c.createdAt)));
      detect.push(at(seen(down)) - fault);
      firstAction.push(first - at(seen(down)));
      established.push(at(seen(up)) - fault);
      repaired.push(at(done.endedAt) - fault);
      if ((done.result as { output?: { outcome?: string } } | null)?.output?.outcome !== 'repaired')
        throw new Error(`bench scenario-bgp: run ${i + 1} ended ${JSON.stringify(done.result)}`);
    }
  } finally {
    await rig.stop();
  }
  const row = (name: string, xs: number[], goal?: string): BenchResult => ({ name, value: Math.round(median(xs)), unit: 'ms', ...(goal ? { goal } : {}) });
  return [
    row(`scenario 1 BGP (kill bgpd, median of ${runs}): fault -> event received`, detect),
    row('scenario 1 BGP: event -> first action started (hold-down 0)', firstAction, '< 1000 ms'),
    row('scenario 1 BGP: fault -> Established again (bgpd restarted when the workflow waits)', established, '< 10000 ms'),
    row('scenario 1 BGP: fault -> remediation ended (repaired)', repaired),
  ];
}
