/**
 * Figures of issue 13's job 4 (VXLAN for OpenStack) on the e2e rig: the lab's leaves with their
 * Linux side and VMs, yuma123 netconfd as the NETCONF switch. Five create/delete cycles of the
 * recorded Neutron notification (a new network id each time, segmentation id 1004); medians of
 * POST -> event recorded (the 202), event -> first action started, POST -> VM1 pings VM2 across
 * the overlay, and POST of the delete -> the ping fails.
 */
import { onTheWire, recordedNeutron, startVxlanScenario } from '../lab/vxlan-devices.js';
import { median, type BenchResult, type Emit } from './stats.js';

const RUNS = 5;
const ms = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return Date.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`vxlan bench: ${what} not within ${timeoutMs / 1000} s`);
}

export async function benchVxlan(emit: Emit = () => undefined): Promise<BenchResult[]> {
  const s = await startVxlanScenario('vxlan-bench');
  const { created, deleted } = recordedNeutron();
  try {
    const figures = { received: [] as number[], firstAction: [] as number[], overlay: [] as number[], torn: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const id = `${String(created.payload.network.id).slice(0, -2)}${String(i).padStart(2, '0')}`;
      const t0 = Date.now();
      const [eventId] = await s.notify(onTheWire(created, { network: { ...created.payload.network, id } }));
      figures.received.push(Date.now() - t0);
      figures.overlay.push((await until('VM1 -> VM2 across the overlay', () => s.overlay.ping('vm1', '10.100.0.2', 0.2))) - t0);
      const event = await s.rig.api<{ time: string; enforcements: Array<{ ruleRef: string; executionId: string | null }> }>('GET', `/api/v1/events/${eventId}`);
      const runId = event.enforcements.find((e) => e.ruleRef === 'remediation.vxlan_network_created' && e.executionId)!.executionId!;
      const run = await s.rig.appliance.engine.wait(runId);
      if (run.status !== 'succeeded') throw new Error(`run ${i + 1}: the create workflow ${run.status}`);
      const tasks = await s.rig.appliance.store.listTasks(runId);
      const first = Math.min(...tasks.map((t) => ms(t.startedAt)));
      figures.firstAction.push(first - ms(event.time));

      const t1 = Date.now();
      const [delId] = await s.notify(onTheWire(deleted, { network_id: id }));
      figures.torn.push((await until('the ping failing after the delete', async () => !(await s.overlay.ping('vm1', '10.100.0.2', 0.2)))) - t1);
      const del = await s.rig.api<{ enforcements: Array<{ ruleRef: string; executionId: string | null }> }>('GET', `/api/v1/events/${delId}`);
      const delRun = del.enforcements.find((e) => e.ruleRef === 'remediation.vxlan_network_deleted' && e.executionId);
      if (delRun) await s.rig.appliance.engine.wait(delRun.executionId!);
    }
    const results: BenchResult[] = [
      { name: 'vxlan: Neutron webhook POST -> event recorded (202)', value: median(figures.received), unit: 'ms' },
      { name: 'vxlan: event -> first action started', value: median(figures.firstAction), unit: 'ms', goal: '< 1000 ms' },
      { name: 'vxlan: create POST -> VM1 pings VM2 across the overlay (2 leaves + NETCONF, read back)', value: median(figures.overlay), unit: 'ms' },
      { name: 'vxlan: delete POST -> the ping fails', value: median(figures.torn), unit: 'ms' },
    ];
    for (const r of results) emit(r);
    return results;
  } finally {
    await s.stop();
  }
}
