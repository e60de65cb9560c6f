// Builders for store records in tests: sensible defaults, override what the test is about.
import type {
  ExecutionRecord,
  KeyValueRecord,
  RuleEnforcementRecord,
  TaskRecord,
  TriggerInstanceRecord,
  WorkflowStateRecord,
} from '../../src/store/records.js';

export function triggerInstance(id: string, over: Partial<TriggerInstanceRecord> = {}): TriggerInstanceRecord {
  return {
    id,
    type: 'network.bgp_peer_state_changed',
    time: '2024-05-01T10:00:00.000Z',
    source: 'sensor:syslog',
    device: 'leaf1',
    payload: { peer: '10.0.0.2', state: 'idle', peer_as: 65002 },
    traceId: id,
    status: 'pending',
    ...over,
  };
}

export function enforcement(id: string, over: Partial<RuleEnforcementRecord> = {}): RuleEnforcementRecord {
  return {
    id,
    ruleRef: 'remediation.bgp_peer_down',
    triggerInstanceId: 'ti1',
    traceId: 'ti1',
    outcome: 'executed',
    executionId: null,
    actionRef: 'remediation.bgp_peer_down',
    reason: null,
    time: '2024-05-01T10:00:01.000Z',
    ...over,
  };
}

export function execution(id: string, over: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id,
    action: 'network.get_bgp_neighbors',
    runner: 'network-getter',
    parameters: { device: 'leaf1' },
    status: 'succeeded',
    result: { neighbors: { '10.0.0.2': { state: 'established' } } },
    error: null,
    parentId: null,
    rootId: id,
    taskName: null,
    context: { ruleRef: 'remediation.bgp_peer_down', traceId: 't1' },
    createdAt: '2024-05-01T10:00:02.000Z',
    startedAt: '2024-05-01T10:00:02.100Z',
    endedAt: '2024-05-01T10:00:03.000Z',
    log: ['connected to leaf1'],
    ...over,
  };
}

export function task(id: string, workflowId: string, seq: number, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    workflowId,
    taskKey: `diagnose#${seq}`,
    taskName: 'diagnose',
    itemIndex: null,
    status: 'succeeded',
    actionRef: 'network.get_bgp_neighbors',
    executionId: null,
    dueAt: null,
    seq,
    startedAt: '2024-05-01T10:00:02.000Z',
    endedAt: null,
    result: { ok: true },
    ...over,
  };
}

export function workflowState(executionId: string, over: Partial<WorkflowStateRecord> = {}): WorkflowStateRecord {
  return { executionId, kind: 'orquesta', state: { ctx: { peer: '10.0.0.2' }, done: ['diagnose'] }, updatedAt: '2024-05-01T10:00:02.000Z', ...over };
}

export function keyValue(scope: string, key: string, over: Partial<KeyValueRecord> = {}): KeyValueRecord {
  return { scope, key, value: 'v', secret: false, expiresAt: null, updatedAt: '2024-05-01T10:00:00.000Z', ...over };
}
