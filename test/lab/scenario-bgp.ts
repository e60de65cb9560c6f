/**
 * Issue 13, job 1 end to end: BGP peer down on the real lab. FRR's syslog -> the appliance's
 * syslog sensor -> the shipped rule (hold-down and recovery timeout from the datastore, set
 * short here through the API as an operator would) -> the workflow over SSH to leaf1's vtysh ->
 * the IRC bot in #noc, a real Redmine ticket with the diagnostics bundle attached, the bundle on a
 * real internal-sftp server.
 *
 * The scenario's steps and checks, run against any appliance that a `start` function brings up
 * with the peers: embedded in the test's process (scenario-bgp.test.ts) or as a cluster of
 * `serve` processes (scenario-bgp-cluster.test.ts). Everything is read through the REST API.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ScenarioAppliance } from './scenario-rig.js';

const LEAF1 = 'leaf1';
const SPINE1_FROM_LEAF1 = '10.0.1.1';
const KEY = `bgp/${LEAF1}/${SPINE1_FROM_LEAF1}`;
/** Short, so the file stays within a few minutes; the shipped values are 15 s and 120 s. */
const HOLD_DOWN = '1s';
const RECOVERY_TIMEOUT = '10s';

interface Execution {
  id: string;
  action: string;
  status: string;
  outcome: string | null;
  parameters: Record<string, unknown>;
  context: Record<string, unknown>;
  createdAt: string;
  result: { output?: Record<string, any> } & Record<string, any>;
  tasks: Array<{ taskName: string; status: string; executionId: string | null }>;
  children: Array<{ id: string; action: string; status: string; taskName: string | null; result: any }>;
}

export interface BgpScenarioOptions {
  /** Says where the appliance runs (goes into the suite's title). */
  where: string;
  /** Test options of the suite (skip reason, timeout). */
  suite: { skip: string | false; timeout: number };
  /** Brings up the peers (lab, Redmine, chat, SFTP) and the appliance under test. */
  start(): Promise<ScenarioAppliance>;
  /** More tests on the same rig, after the scenario's. */
  more?(rig: () => ScenarioAppliance): void;
}

export function describeBgpPeerDown(o: BgpScenarioOptions): void {
  describe(
    `scenario: BGP peer down on the lab, ${o.where} (diagnose, soft clear, chat on recovery; bundle, Redmine ticket and chat when it stays down)`,
    o.suite,
    () => {
      let rig: ScenarioAppliance;

      before(async () => {
        rig = await o.start();
        await rig.lab.waitEstablished(LEAF1, undefined, 60_000);
        await rig.api('PUT', '/api/v1/keys/system/remediation.bgp.hold_down', { value: HOLD_DOWN });
        await rig.api('PUT', '/api/v1/keys/system/remediation.bgp.recovery_timeout', { value: RECOVERY_TIMEOUT });
      });
      after(async () => {
        // the lab is left as found: no neighbor shut, bgpd running
        if (rig) {
          await rig.lab.fault.noShutdownPeer('spine1', LEAF1).catch(() => {});
          await rig.lab.waitEstablished(LEAF1, undefined, 30_000).catch(() => {});
        }
        await rig?.stop();
      });

      /** The run an action started for this device and peer after `since` (through the API), once `until` holds for it. */
      async function findRun(since: string, action: string, device: string, peer: string, until: (e: Execution) => boolean = () => true): Promise<Execution> {
        for (let i = 0; i < 600; i++) {
          const { items } = await rig.api<{ items: Execution[] }>('GET', `/api/v1/executions?action=${action}&limit=50`);
          const found = items.find((e) => e.createdAt >= since && e.parameters.device === device && e.parameters.peer === peer);
          if (found) {
            const full = await rig.api<Execution>('GET', `/api/v1/executions/${found.id}`);
            if (until(full)) return full;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.fail(`${action} ran for ${device} ${peer} after ${since}`);
      }

      /** That run once it ended. */
      async function runAfter(since: string, action: string, device = LEAF1, peer = SPINE1_FROM_LEAF1): Promise<Execution> {
        const found = await findRun(since, action, device, peer);
        await rig.waitExecution(found.id);
        return rig.api<Execution>('GET', `/api/v1/executions/${found.id}`);
      }

      /**
       * One fault, one event, one remediation: however many sensors heard FRR's line, leaf1's session
       * going down since `since` is one event (not repeated, no duplicates stored) and started one run.
       */
      async function onceEach(since: string, run: Execution): Promise<void> {
        const { items: events } = await rig.api<{ items: Array<{ id: string; time: string; occurrences?: number; payload: Record<string, unknown> }> }>(
          'GET',
          '/api/v1/events?type=network.bgp_peer_state_changed&limit=200',
        );
        const downs = events.filter(
          (e) =>
            Date.parse(e.time) >= Date.parse(since) && e.payload.device === LEAF1 && e.payload.peer === SPINE1_FROM_LEAF1 && e.payload.state !== 'established',
        );
        assert.deepEqual(
          downs.map((e) => [e.id, e.occurrences ?? 1]),
          [[String(run.context.triggerInstanceId), 1]],
          JSON.stringify(downs),
        );
        const event = await rig.api<{ duplicates: unknown[] }>('GET', `/api/v1/events/${downs[0]!.id}`);
        assert.deepEqual(event.duplicates, []);
        const { items } = await rig.api<{ items: Execution[] }>('GET', `/api/v1/executions?action=${run.action}&limit=50`);
        assert.deepEqual(
          items.filter((e) => e.createdAt >= since && e.parameters.device === LEAF1 && e.parameters.peer === SPINE1_FROM_LEAF1).map((e) => e.id),
          [run.id],
        );
      }

      /**
       * leaf1's session established and settled: FRR logs no ADJCHANGE Down for a NOTIFICATION that
       * arrives within a moment of the session coming up (only read errors), so a fault right after a
       * recovery would go unseen by syslog.
       */
      async function settled(): Promise<void> {
        await rig.lab.waitEstablished(LEAF1, undefined, 30_000);
        await new Promise((r) => setTimeout(r, 3000));
      }

      const waiting = (e: Execution): boolean => e.tasks.some((t) => t.taskName === 'wait_established');

      async function redmine<T>(p: string): Promise<T> {
        const res = await fetch(`${rig.redmine!.url}${p}`, { headers: { 'X-Redmine-API-Key': rig.redmine!.apiKey } });
        assert.equal(res.status, 200, `GET ${p}`);
        return (await res.json()) as T;
      }
      /** Redmine issues of the incident key (the subject starts with [key] when no custom field holds it). */
      const issuesOfKey = async (): Promise<Array<{ id: number; subject: string }>> =>
        (await redmine<{ issues: Array<{ id: number; subject: string }> }>('/issues.json?status_id=*&limit=100')).issues.filter((i) =>
          i.subject.includes(`[${KEY}]`),
        );

      /** The audit chain through the API: the event, the rule's decision, the execution, its tasks, the device's commands. */
      async function auditChain(run: Execution, outcome: string): Promise<void> {
        const eventId = String(run.context.triggerInstanceId);
        const event = await rig.api<any>('GET', `/api/v1/events/${eventId}`);
        assert.equal(event.type, 'network.bgp_peer_state_changed');
        assert.deepEqual([event.payload.device, event.payload.peer], [LEAF1, SPINE1_FROM_LEAF1]);
        assert.match(String(event.payload.message), /%ADJCHANGE: neighbor 10\.0\.1\.1\(spine1\) in vrf default Down/);
        const decision = event.enforcements.find((e: any) => e.ruleRef === 'remediation.bgp_peer_down' && e.executionId === run.id);
        assert.ok(decision, JSON.stringify(event.enforcements));
        assert.deepEqual([decision.outcome, decision.execution?.outcome], ['executed', outcome]);
        assert.equal(run.parameters.log_line, event.payload.message);
        const task = (name: string) => run.tasks.find((t) => t.taskName === name);
        for (const name of ['note', 'diagnose', 'collect', 'repair', 'wait_established'])
          assert.ok(task(name), `task ${name} ran: ${JSON.stringify(run.tasks)}`);
        // the device commands: the soft clear and the diagnostics, on leaf1's vtysh
        const repair = run.children.find((c) => c.taskName === 'repair')!;
        assert.match(JSON.stringify(repair.result), /clear ip bgp 10\.0\.1\.1 soft/);
        const collect = run.children.find((c) => c.taskName === 'collect')!;
        assert.equal(collect.status, 'succeeded');
        assert.deepEqual(collect.result.commands.slice(0, 3), ['show ip route 10.0.1.1', 'show ip bgp neighbors 10.0.1.1', 'show interface eth-spine1']);
        assert.equal(collect.result.interface, 'eth-spine1');
      }

      test('bgpd on spine1 killed and started again: leaf1 diagnoses, soft-clears, sees the session back; #noc hears it recovered; no ticket', async () => {
        const since = new Date().toISOString();
        await rig.lab.fault.killBgpd('spine1');
        try {
          // past the hold-down, the workflow is waiting for the session
          await findRun(since, 'remediation.bgp_peer_down', LEAF1, SPINE1_FROM_LEAF1, waiting);
        } finally {
          await rig.lab.fault.startBgpd('spine1');
        }
        const run = await runAfter(since, 'remediation.bgp_peer_down');
        assert.equal(run.status, 'succeeded', JSON.stringify(run.result));
        assert.equal(run.outcome, 'repaired');
        await onceEach(since, run);
        await rig.waitSaid((l) => l.startsWith(`RECOVERED: BGP peer ${SPINE1_FROM_LEAF1} on ${LEAF1} is established again (repaired`));
        assert.deepEqual(await issuesOfKey(), [], 'no ticket for a session that came back');
        assert.equal(run.result.output!.ticket, null);
        await auditChain(run, 'repaired');
        assert.ok(
          run.tasks.some((t) => t.taskName === 'announce_recovery' && t.status === 'succeeded'),
          JSON.stringify(run.tasks),
        );
      });

      let ticketId: number;

      test('neighbor shut on spine1 (it stays down): a Redmine ticket with the bundle attached, the bundle on the SFTP server, #noc names the ticket; spine1 leaves its own shut peer alone', async () => {
        await settled();
        const since = new Date().toISOString();
        await rig.lab.fault.shutdownPeer('spine1', LEAF1);
        const run = await runAfter(since, 'remediation.bgp_peer_down');
        assert.equal(run.status, 'succeeded', JSON.stringify(run.result));
        assert.equal(run.outcome, 'escalated');
        await onceEach(since, run);
        await auditChain(run, 'escalated');
        const out = run.result.output!;
        // ticket, upload and chat are configured here; a webhook is not: only that is skipped, with a note
        assert.deepEqual(
          out.notes.map((n: string) => n.split(':')[0]),
          ['webhook skipped'],
        );
        ticketId = Number(out.ticket.id);
        assert.equal(out.ticket.created, true);
        assert.equal(out.ticket.url, `${rig.redmine!.url}/issues/${ticketId}`);

        // Redmine: one ticket for the key, with the diagnostics in its body and the bundle attached
        assert.deepEqual(
          (await issuesOfKey()).map((i) => i.id),
          [ticketId],
        );
        const { issue } = await redmine<{ issue: any }>(`/issues/${ticketId}.json?include=attachments,journals`);
        assert.match(issue.subject, /BGP peer 10\.0\.1\.1 down on leaf1/);
        for (const want of [
          'not established within 10s after a soft clear',
          'show ip bgp neighbors 10.0.1.1',
          'BGP neighbor is 10.0.1.1',
          'Diagnostics bundle: sftp://',
        ])
          assert.ok(issue.description.includes(want), `the ticket says ${want}:\n${issue.description}`);
        assert.equal(issue.attachments.length, 1);
        const attachment = issue.attachments[0];
        assert.match(attachment.filename, /-bgp-leaf1-10\.0\.1\.1\.tar\.gz$/);
        const res = await fetch(attachment.content_url, { headers: { 'X-Redmine-API-Key': rig.redmine!.apiKey } });
        const bundle = path.join(rig.dir, attachment.filename);
        writeFileSync(bundle, Buffer.from(await res.arrayBuffer()));
        const index = JSON.parse(execFileSync('tar', ['-xzOf', bundle, '--wildcards', '*/index.json'], { encoding: 'utf8' })) as {
          commands: string[];
          entries: Array<{ command: string; file: string; failed: boolean }>;
        };
        assert.deepEqual(index.commands, ['show ip route 10.0.1.1', 'show ip bgp neighbors 10.0.1.1', 'show interface eth-spine1', 'ping']);
        const text = (command: string): string =>
          execFileSync('tar', ['-xzOf', bundle, index.entries.find((e) => e.command === command)!.file], { encoding: 'utf8' });
        assert.match(text('show ip route 10.0.1.1'), /directly connected, eth-spine1/);
        assert.match(text('show ip bgp neighbors 10.0.1.1'), /BGP neighbor is 10\.0\.1\.1, remote AS 65000/);
        assert.match(text('show interface eth-spine1'), /Interface eth-spine1 is up/);
        assert.match(text('ping'), /not sent: FRR's vtysh ping/);
        assert.match(text('log lines received by netreflex'), /%ADJCHANGE: neighbor 10\.0\.1\.1\(spine1\) in vrf default Down/);

        // the same bundle on the SFTP server
        assert.equal(out.bundle.split('/').at(-1), attachment.filename);
        const uploaded = path.join(rig.sftp!.uploadDir, attachment.filename);
        assert.ok(existsSync(uploaded));
        assert.equal(readFileSync(uploaded).length, attachment.filesize);

        // chat: the escalation with the ticket's link
        await rig.waitSaid((l) => l.startsWith(`ESCALATED: BGP peer ${SPINE1_FROM_LEAF1} on ${LEAF1}: `) && l.includes(`opened: ${out.ticket.url}`));

        // spine1 saw its own peer shut by configuration: left alone, nothing touched
        const spine = await runAfter(since, 'remediation.bgp_peer_down', 'spine1', '10.0.1.2');
        assert.equal(spine.outcome, 'left alone');
        assert.ok(!spine.tasks.some((t) => t.taskName === 'repair'));
      });

      test('the same peer fails again: a comment on the open ticket, not a second one; the 4th run in the hour only escalates (comment + chat)', async () => {
        assert.ok(ticketId, 'the previous test opened the ticket');
        const journals = async (): Promise<number> =>
          (await redmine<{ issue: { journals: Array<{ notes: string }> } }>(`/issues/${ticketId}.json?include=journals`)).issue.journals.filter((j) => j.notes)
            .length;
        const notesBefore = await journals();

        // run 3 of the hour: the session comes back, is shut again, stays down
        await rig.lab.fault.noShutdownPeer('spine1', LEAF1);
        await settled();
        let since = new Date().toISOString();
        await rig.lab.fault.shutdownPeer('spine1', LEAF1);
        const run = await runAfter(since, 'remediation.bgp_peer_down');
        assert.equal(run.outcome, 'escalated');
        await onceEach(since, run);
        assert.deepEqual([Number(run.result.output!.ticket.id), run.result.output!.ticket.created], [ticketId, false]);
        assert.deepEqual(
          (await issuesOfKey()).map((i) => i.id),
          [ticketId],
        );
        assert.ok((await journals()) > notesBefore, 'a comment on the open ticket');
        await rig.waitSaid(
          (l) => l.startsWith(`ESCALATED: BGP peer ${SPINE1_FROM_LEAF1} on ${LEAF1}: `) && l.includes(`updated: ${rig.redmine!.url}/issues/${ticketId}`),
        );

        // run 4: the throttle (3 an hour) sends it straight to escalate_bgp
        await rig.lab.fault.noShutdownPeer('spine1', LEAF1);
        await settled();
        since = new Date().toISOString();
        const chatBefore = rig.said().length;
        await rig.lab.fault.shutdownPeer('spine1', LEAF1);
        const escalation = await runAfter(since, 'remediation.escalate_bgp');
        assert.equal(escalation.status, 'succeeded', JSON.stringify(escalation.result));
        assert.equal((escalation.parameters.escalation as { rule?: string } | undefined)?.rule, 'remediation.bgp_peer_down');
        assert.equal(Number(escalation.result.output!.ticket.id), ticketId);
        const event = await rig.api<any>('GET', `/api/v1/events/${String(escalation.context.triggerInstanceId)}`);
        assert.ok(
          event.enforcements.some((e: any) => e.ruleRef === 'remediation.bgp_peer_down' && e.outcome === 'escalated' && e.executionId === escalation.id),
        );
        const line = await rig.waitSaid((l) => rig.said().indexOf(l) >= chatBefore && /remediated \d+ times within 1h/.test(l));
        assert.match(line, new RegExp(`updated: ${rig.redmine!.url}/issues/${ticketId}$`));
        const { items } = await rig.api<{ items: Execution[] }>('GET', '/api/v1/executions?action=remediation.bgp_peer_down&limit=50');
        assert.deepEqual(
          items.filter((e) => e.createdAt >= since && e.parameters.device === LEAF1),
          [],
          'no remediation run for the 4th',
        );
      });

      o.more?.(() => rig);
    },
  );
}
