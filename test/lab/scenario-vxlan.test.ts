/**
 * Issue 13, job 4 end to end: VXLAN for OpenStack on the real lab. A recorded Neutron
 * `network.create.end`, posted to the appliance's neutron webhook as oslo.messaging puts it on the
 * wire -> the shipped rule -> the workflow: VNI from the allocator, the segment on leaf1 and leaf2
 * through the linux_frr driver (their Linux side, over SSH), read back, then on the NETCONF switch
 * (yuma123 netconfd: lock, edit-config, validate, commit) -> VM1 pings VM2 across the overlay.
 * Posted again: nothing changes. A failure half-way rolls back. `network.delete.end` tears it all
 * down and frees the VNI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectNetconf } from '../../drivers/transports/netconf.js';
import { labGuard } from './guard.js';
import type { NetconfLab } from './netconf.js';
import type { Overlay } from './overlay.js';
import type { ScenarioRig } from './scenario-rig.js';
import { NETCONF_SWITCH, onTheWire, recordedNeutron, startVxlanScenario, type VxlanScenario } from './vxlan-devices.js';

const skip = labGuard();
const { created: CREATED, deleted: DELETED } = recordedNeutron();
const NETWORK = String(CREATED.payload.network.id);
const VNI = Number(CREATED.payload.network['provider:segmentation_id']);

interface Execution {
  id: string;
  action: string;
  status: string;
  outcome: string | null;
  context: Record<string, unknown>;
  result: { output?: Record<string, any> } & Record<string, any>;
  tasks: Array<{ taskName: string; status: string; executionId: string | null }>;
  children: Array<{ id: string; action: string; status: string; taskName: string | null; result: any; parameters?: Record<string, any> }>;
}

describe(
  'scenario: VXLAN for OpenStack on the lab (Neutron webhook -> VNI -> leaves and NETCONF switch -> ping across the overlay)',
  { skip, timeout: 600_000 },
  () => {
    let scenario: VxlanScenario;
    let rig: ScenarioRig;
    let overlay: Overlay;
    let nc: NetconfLab;

    before(async () => {
      scenario = await startVxlanScenario();
      ({ rig, overlay, nc } = scenario);
    });
    after(async () => scenario?.stop());

    const notify = (body: string): Promise<string[]> => scenario.notify(body);

    /** The run the rule started for the event, once it ended, as the API shows it; with the event. */
    async function runFor(eventId: string, rule: string): Promise<{ run: Execution; event: any }> {
      for (let i = 0; i < 300; i++) {
        const event = await rig.api<any>('GET', `/api/v1/events/${eventId}`);
        const decision = event.enforcements.find((e: any) => e.ruleRef === rule && e.executionId);
        if (decision) {
          await rig.appliance.engine.wait(decision.executionId);
          const run = await rig.api<Execution>('GET', `/api/v1/executions/${decision.executionId}`);
          return { run, event: await rig.api<any>('GET', `/api/v1/events/${eventId}`) };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`rule ${rule} ran nothing for event ${eventId}`);
    }

    const children = (run: Execution, action: string) => run.children.filter((c) => c.action === action);
    const pings = async (): Promise<boolean> => {
      for (let i = 0; i < 10; i++) if (await overlay.ping('vm1', '10.100.0.2')) return true;
      return false;
    };
    async function runningVnis(): Promise<string> {
      const s = await connectNetconf({
        device: NETCONF_SWITCH,
        host: nc.host,
        port: nc.port,
        username: nc.username,
        password: nc.password,
        hostKey: { knownKey: nc.hostPublicKey },
      });
      try {
        return (await s.getConfig('running', { subtree: `<device xmlns="${nc.namespace}"><vxlan/></device>` })).xml;
      } finally {
        await s.close();
      }
    }
    const heldVnis = async (): Promise<number[]> =>
      (await rig.api<{ items: Array<{ key: string }> }>('GET', '/api/v1/keys?scope=pack:openstack&prefix=vni/')).items.map((k) => Number(k.key.slice(4)));

    test('the recorded network.create.end: VNI 1004 on leaf1, leaf2 and the NETCONF switch, VM1 pings VM2; the audit chain through the API', async () => {
      assert.equal(await overlay.ping('vm1', '10.100.0.2'), false, 'no overlay before the notification');
      const [eventId] = await notify(onTheWire(CREATED));
      const { run, event } = await runFor(eventId!, 'remediation.vxlan_network_created');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.result));
      assert.equal(run.outcome, 'provisioned');
      assert.equal(run.result.output!.vni, VNI);
      assert.ok(await pings(), 'VM1 pings VM2 across the overlay');

      // on the peers: the kernel's vxlan devices, netconfd's running config, the allocator's mapping
      for (const leaf of ['leaf1', 'leaf2']) assert.deepEqual(await overlay.vxlanDevices(leaf), [{ ifname: `vxlan${VNI}`, vni: VNI, master: 'br-hosts' }]);
      assert.match(
        await runningVnis(),
        new RegExp(`<id>${VNI}</id>\\s*<name>test-network</name>\\s*<flood-vtep>10.255.0.11</flood-vtep>\\s*<flood-vtep>10.255.0.12</flood-vtep>`),
      );
      const mapping = await rig.appliance.engine.run('openstack.get_vni', { vni: VNI });
      assert.equal((mapping.result as { network_id: string }).network_id, NETWORK);

      // the audit chain: event -> rule -> execution -> tasks -> device commands
      assert.equal(event.type, 'openstack.network_created');
      assert.deepEqual(
        [event.payload.id, event.payload.provider_segmentation_id, event.payload.notification.request_id],
        [NETWORK, VNI, CREATED.ctxt.request_id],
      );
      assert.equal(JSON.stringify(event).includes(String(CREATED.ctxt.auth_token)), false, 'the auth token is not kept');
      const decision = event.enforcements.find((e: any) => e.ruleRef === 'remediation.vxlan_network_created');
      assert.deepEqual([decision.executionId, decision.execution?.outcome], [run.id, 'provisioned']);
      // the rules as shipped: one owner of the VNI, one allocation for the event
      assert.deepEqual(
        event.enforcements.filter((e: any) => e.executionId).map((e: any) => e.ruleRef),
        ['remediation.vxlan_network_created'],
      );
      const allocations = await rig.appliance.store.listExecutions({ action: 'openstack.allocate_vni', limit: 100 });
      assert.deepEqual(
        allocations.map((a) => a.parentId),
        [run.id],
        'exactly one allocation, by the job',
      );
      assert.equal(run.context.triggerInstanceId, eventId);
      const done = run.tasks.filter((t) => t.status === 'succeeded').map((t) => t.taskName);
      for (const t of [
        'allocate',
        'fabric',
        'read_leaves',
        'read_netconf',
        'compare',
        'configure_leaves',
        'verify_leaves',
        'check_leaves',
        'push_netconf',
        'record',
      ])
        assert.ok(done.includes(t), `task ${t} succeeded: ${JSON.stringify(run.tasks)}`);
      const configured = children(run, 'network.configure');
      assert.deepEqual(configured.map((c) => c.result.device).sort(), ['leaf1-linux', 'leaf2-linux']);
      const leaf1 = configured.find((c) => c.result.device === 'leaf1-linux')!;
      assert.deepEqual(
        leaf1.result.results.map((r: any) => [r.command, r.failed]),
        [
          [`sudo -n ip link add vxlan${VNI} type vxlan id ${VNI} local 10.255.0.11 dstport 4789 nolearning`, false],
          [`sudo -n ip link set vxlan${VNI} master br-hosts`, false],
          [`sudo -n bridge fdb append 00:00:00:00:00:00 dev vxlan${VNI} dst 10.255.0.12`, false],
          [`sudo -n ip link set vxlan${VNI} up`, false],
        ],
      );
      const edits = children(run, 'network.netconf').filter((c) => c.result.operation === 'edit-config');
      assert.deepEqual(
        edits.map((c) => [c.result.device, c.result.committed, c.result.validated]),
        [[NETCONF_SWITCH, true, true]],
      );
    });

    test('the same notification posted again: the segment is found in place, nothing is configured, and the run says so', async () => {
      const before = JSON.stringify(await overlay.vxlanDevices('leaf1')) + (await runningVnis());
      const [eventId] = await notify(onTheWire(CREATED));
      const { run } = await runFor(eventId!, 'remediation.vxlan_network_created');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.result));
      assert.equal(run.outcome, 'unchanged');
      assert.match(run.result.output!.reason, new RegExp(`VNI ${VNI} is already in place on leaf1-linux, leaf2-linux and ${NETCONF_SWITCH}`));
      assert.deepEqual(children(run, 'network.configure'), []);
      assert.deepEqual(
        children(run, 'network.netconf').map((c) => c.result.operation),
        ['get-config'],
      );
      assert.equal(JSON.stringify(await overlay.vxlanDevices('leaf1')) + (await runningVnis()), before);
      assert.ok(await pings());
    });

    test('a tenant network (no segmentation id) while someone holds the NETCONF candidate lock: VNI from the range, leaves configured, then all rolled back', async () => {
      const s = await connectNetconf({
        device: NETCONF_SWITCH,
        host: nc.host,
        port: nc.port,
        username: nc.username,
        password: nc.password,
        hostKey: { knownKey: nc.hostPublicKey },
      });
      await s.lock('candidate');
      let run: Execution;
      try {
        const network = { ...CREATED.payload.network, id: 'b7c1a3f0-5d2e-4f6a-9c8b-7e1d2f3a4b5c', name: 'tenant-net' };
        for (const k of ['provider:segmentation_id', 'provider:network_type', 'provider:physical_network']) delete network[k];
        const [eventId] = await notify(onTheWire(CREATED, { network }));
        ({ run } = await runFor(eventId!, 'remediation.vxlan_network_created'));
      } finally {
        await s.unlock('candidate');
        await s.close();
      }
      assert.equal(run.status, 'failed');
      assert.equal(run.result.output?.outcome ?? run.outcome, 'rolled back', JSON.stringify(run.result));
      assert.equal(run.result.output!.failed_step, 'push_netconf');
      assert.equal(run.result.output!.vni, 5000, 'the lowest free VNI of the configured range');
      assert.deepEqual(run.result.output!.configured, ['leaf1-linux', 'leaf2-linux']);
      // what this run added is gone, what was there before is untouched
      for (const leaf of ['leaf1', 'leaf2'])
        assert.deepEqual(
          (await overlay.vxlanDevices(leaf)).map((d) => d.vni),
          [VNI],
        );
      assert.deepEqual(await heldVnis(), [VNI], 'VNI 5000 given back');
      assert.doesNotMatch(await runningVnis(), /<id>5000<\/id>/);
      assert.ok(await pings(), 'the first network still carries VM1 -> VM2');
      const undone = children(run, 'network.configure').filter((c) => c.taskName === 'rollback_leaves');
      assert.deepEqual(undone.map((c) => [c.result.device, c.result.results.map((r: any) => r.command)]).sort(), [
        ['leaf1-linux', ['sudo -n ip link del vxlan5000']],
        ['leaf2-linux', ['sudo -n ip link del vxlan5000']],
      ]);
    });

    test('a delete while someone holds the NETCONF candidate lock: the leaves get their segment back, VNI 1004 stays allocated', async () => {
      const s = await connectNetconf({
        device: NETCONF_SWITCH,
        host: nc.host,
        port: nc.port,
        username: nc.username,
        password: nc.password,
        hostKey: { knownKey: nc.hostPublicKey },
      });
      await s.lock('candidate');
      let run: Execution;
      try {
        const [eventId] = await notify(onTheWire(DELETED));
        ({ run } = await runFor(eventId!, 'remediation.vxlan_network_deleted'));
      } finally {
        await s.unlock('candidate');
        await s.close();
      }
      assert.equal(run.status, 'failed');
      assert.deepEqual([run.result.output!.outcome, run.result.output!.failed_step], ['rolled back', 'remove_netconf'], JSON.stringify(run.result));
      const restored = children(run, 'network.configure').filter((c) => c.taskName === 'rollback_leaves');
      assert.deepEqual(restored.map((c) => c.result.device).sort(), ['leaf1-linux', 'leaf2-linux']);
      for (const leaf of ['leaf1', 'leaf2'])
        assert.deepEqual(
          (await overlay.vxlanDevices(leaf)).map((d) => d.vni),
          [VNI],
        );
      assert.deepEqual(await heldVnis(), [VNI]);
      assert.match(await runningVnis(), new RegExp(`<id>${VNI}</id>`));
      assert.ok(await pings(), 'the segment carries VM1 -> VM2 again');
    });

    test('the recorded network.delete.end: the segment is gone from the leaves and netconfd, the ping fails, VNI 1004 is free again', async () => {
      const [eventId] = await notify(onTheWire(DELETED));
      const { run, event } = await runFor(eventId!, 'remediation.vxlan_network_deleted');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.result));
      assert.equal(run.outcome, 'removed');
      assert.equal(event.type, 'openstack.network_deleted');
      assert.equal(await overlay.ping('vm1', '10.100.0.2'), false, 'no path between the VMs any more');
      for (const leaf of ['leaf1', 'leaf2']) assert.deepEqual(await overlay.vxlanDevices(leaf), []);
      assert.doesNotMatch(await runningVnis(), new RegExp(`<id>${VNI}</id>`));
      assert.deepEqual(await heldVnis(), []);
      const free = await rig.appliance.engine.run('openstack.get_vni', { vni: VNI });
      assert.equal(free.status, 'failed');
      assert.equal(free.error?.code, 'NRX_ERR_NOT_FOUND');
      const removed = children(run, 'network.configure');
      assert.deepEqual(removed.map((c) => [c.result.device, c.result.results.map((r: any) => r.command)]).sort(), [
        ['leaf1-linux', [`sudo -n ip link del vxlan${VNI}`]],
        ['leaf2-linux', [`sudo -n ip link del vxlan${VNI}`]],
      ]);
    });
  },
);
