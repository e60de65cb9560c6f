/**
 * Figures of issue 13's job 3 (collect logs and open a ticket) on the e2e rig: the lab's leaf1,
 * real internal-sftp, Redmine and ngircd. Five webhook POSTs, one at a time; medians of
 * POST -> event recorded (the 202), event -> first action started, POST -> ticket open,
 * POST -> the success line heard in #noc.
 */
import { createHmac } from 'node:crypto';
import { startScenarioRig } from '../lab/scenario-rig.js';
import { median, type BenchResult, type Emit } from './stats.js';

const RUNS = 5;
const ms = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);

export async function benchLogs(emit: Emit = () => undefined): Promise<BenchResult[]> {
  const rig = await startScenarioRig({ name: 'logs-bench', redmine: true, chat: true, sftp: true });
  try {
    await rig.lab.waitEstablished('leaf1', undefined, 60_000);
    const { secret } = await rig.api<{ secret: string }>('POST', '/api/v1/webhooks', { name: 'collect-logs', kind: 'generic', auth: 'hmac' });
    const seen = new Set<string>(); // success lines of earlier runs
    const figures = { received: [] as number[], firstAction: [] as number[], ticket: [] as number[], chat: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const body = JSON.stringify({ host: 'leaf1', cmd: ['show ip bgp summary', 'show interface'], reason: `bench run ${i + 1}` });
      const sig = createHmac('sha256', secret).update(body).digest('hex');
      const t0 = Date.now();
      const res = await fetch(`${rig.apiUrl}/api/v1/webhooks/collect-logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-netreflex-signature': `sha256=${sig}` },
        body,
      });
      const answered = Date.now();
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      const eventId = ((await res.json()) as { events: Array<{ id: string }> }).events[0]!.id;
      const said = await rig.waitSaid((l) => l.startsWith('logs collected from leaf1 ') && !seen.has(l), 60_000);
      const heard = Date.now();
      seen.add(said);
      const event = await rig.api<{ time: string; enforcements: Array<{ executionId: string | null }> }>('GET', `/api/v1/events/${eventId}`);
      const runId = event.enforcements.find((e) => e.executionId)!.executionId!;
      await rig.appliance.engine.wait(runId);
      const run = await rig.api<{ status: string; tasks: Array<{ taskName: string; startedAt: string | null; endedAt: string | null }> }>(
        'GET',
        `/api/v1/executions/${runId}`,
      );
      if (run.status !== 'succeeded') throw new Error(`run ${i + 1}: the workflow ${run.status}`);
      const task = (n: string) => run.tasks.find((t) => t.taskName === n)!;
      figures.received.push(answered - t0);
      figures.firstAction.push(ms(task('check').startedAt) - ms(event.time));
      figures.ticket.push(ms(task('open_ticket').endedAt) - t0);
      figures.chat.push(heard - t0);
    }
    const results: BenchResult[] = [
      { name: 'logs: webhook POST -> event recorded (202)', value: median(figures.received), unit: 'ms' },
      { name: 'logs: event -> first action started', value: median(figures.firstAction), unit: 'ms', goal: '< 1000 ms' },
      { name: 'logs: POST -> Redmine ticket open (2 FRR commands, bundle on SFTP)', value: median(figures.ticket), unit: 'ms' },
      { name: 'logs: POST -> success line with the ticket in #noc', value: median(figures.chat), unit: 'ms' },
    ];
    for (const r of results) emit(r);
    return results;
  } finally {
    await rig.stop();
  }
}
