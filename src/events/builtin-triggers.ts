import type { JsonSchema, TriggerRegistry, TriggerTypeSpec } from './trigger-registry.js';

/**
 * The trigger types the appliance ships: the contract between sensors (which emit them) and
 * rules/workflows (which match on them). Schemas require only what a rule cannot do without
 * and allow any additional property, so a richer sensor never breaks a rule.
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const strOrInt = { type: ['string', 'integer'] } as const;

export const BGP_STATES = ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'] as const;
export const BFD_STATES = ['admin_down', 'down', 'init', 'up'] as const;

/** Where a network event came from; every network.* payload may carry these. */
const deviceContext: Record<string, JsonSchema> = {
  device: { ...str, description: 'inventory device name' },
  platform: { ...str, description: 'driver platform, e.g. frr, cisco_ios, arista_eos' },
  host: { ...str, description: 'address or hostname the event came from' },
  severity: { ...strOrInt, description: "syslog severity (name or 0-7), or the sensor's own" },
  message: { ...str, description: 'the original log line or trap summary' },
};

function objectSchema(required: string[], properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', required, properties, additionalProperties: true };
}

function networkEvent(ref: string, description: string, required: string[], properties: Record<string, JsonSchema>): TriggerTypeSpec {
  return { ref, description, payloadSchema: objectSchema(required, { ...deviceContext, ...properties }) };
}

const interfaceFields = { interface: str, description: str, reason: str };
const lagFields = {
  lag: { ...str, description: 'the LAG (Port-Channel, bond, ae) interface' },
  member: { ...str, description: 'the member link' },
  reason: str,
};
const ospfFields = { neighbor: { ...str, description: 'neighbor router id or address' }, interface: str, area: strOrInt, vrf: str, state: str, reason: str };
const isisFields = { neighbor: { ...str, description: 'neighbor system id or hostname' }, interface: str, level: strOrInt, state: str, reason: str };

const openstackNetwork = {
  id: str,
  name: str,
  project_id: str,
  status: str,
  admin_state_up: { type: 'boolean' },
  provider_network_type: { ...str, description: 'vxlan, vlan, flat...' },
  provider_segmentation_id: { ...int, description: 'VNI or VLAN id' },
  provider_physical_network: str,
};
const openstackPort = {
  id: str,
  network_id: str,
  device_id: str,
  device_owner: str,
  mac_address: str,
  binding_host_id: { ...str, description: 'compute host the port is bound to (Neutron binding:host_id)' },
  fixed_ips: { type: 'array' },
  status: str,
};
const openstackSubnet = { id: str, network_id: str, name: str, cidr: str, ip_version: int, gateway_ip: { type: ['string', 'null'] } };

function openstackEvents(resource: string, properties: Record<string, JsonSchema>): TriggerTypeSpec[] {
  return (['created', 'updated', 'deleted'] as const).map((what) => ({
    ref: `openstack.${resource}_${what}`,
    description: `a Neutron ${resource} was ${what} (payload: the ${resource}, Neutron field names with ':' replaced by '_')`,
    payloadSchema: objectSchema(['id'], properties),
  }));
}

export const BUILTIN_TRIGGER_TYPES: readonly TriggerTypeSpec[] = [
  {
    ref: 'core.webhook',
    description: 'an HTTP request to /api/v1/webhooks/<url> (like StackStorm core.st2.webhook)',
    payloadSchema: objectSchema([], { url: str, method: str, headers: { type: 'object' }, query: { type: 'object' }, body: {} }),
  },
  ...(['IntervalTimer', 'CronTimer', 'DateTimer'] as const).map((kind) => ({
    ref: `core.st2.${kind}`,
    description: `a ${kind.replace('Timer', '').toLowerCase()} timer fired (StackStorm's core.st2.${kind}; the schedule is the rule's trigger.parameters)`,
    payloadSchema: objectSchema(['executed_at'], { executed_at: str, scheduled_at: str, rule: str, schedule: { type: 'object' } }),
  })),
  { ref: 'core.event', description: 'a free-form event (CLI, API, tests): any payload', payloadSchema: { type: 'object' } },
  {
    ref: 'core.announcement',
    description: "an action of the announcement runner announced something (StackStorm announcements); payload: route and the action's parameters",
    payloadSchema: objectSchema(['route', 'payload'], { route: str, payload: { type: 'object' } }),
  },

  networkEvent('network.bgp_peer_state_changed', 'a BGP session changed state', ['peer', 'state'], {
    peer: { ...str, description: 'neighbor address' },
    state: { enum: [...BGP_STATES] },
    previous_state: { enum: [...BGP_STATES, null] },
    peer_as: { ...strOrInt, description: 'peer AS (asplain integer or asdot string)' },
    vrf: str,
    reason: str,
  }),
  networkEvent('network.interface_down', 'an interface went down (link or line protocol)', ['interface'], interfaceFields),
  networkEvent('network.interface_up', 'an interface came up', ['interface'], interfaceFields),
  networkEvent('network.lag_member_down', 'a member link left its LAG (lag when known)', ['member'], lagFields),
  networkEvent('network.lag_member_up', 'a member link rejoined its LAG (lag when known)', ['member'], lagFields),
  networkEvent('network.ospf_neighbor_down', 'an OSPF adjacency went down', ['neighbor'], ospfFields),
  networkEvent('network.ospf_neighbor_up', 'an OSPF adjacency reached full', ['neighbor'], ospfFields),
  networkEvent(
    'network.ospf_neighbor_state_changed',
    'an OSPF neighbor moved between states short of full (init, 2way, exstart, exchange, loading): neither up nor down',
    ['neighbor', 'state'],
    { ...ospfFields, previous_state: str },
  ),
  networkEvent('network.isis_neighbor_down', 'an IS-IS adjacency went down', ['neighbor'], isisFields),
  networkEvent('network.isis_neighbor_up', 'an IS-IS adjacency came up', ['neighbor'], isisFields),
  networkEvent('network.isis_neighbor_state_changed', 'an IS-IS adjacency moved to a state other than up or down (init)', ['neighbor', 'state'], {
    ...isisFields,
    previous_state: str,
  }),
  networkEvent('network.bfd_state_changed', 'a BFD session changed state', ['peer', 'state'], {
    peer: str,
    state: { enum: [...BFD_STATES] },
    previous_state: { enum: [...BFD_STATES, null] },
    interface: str,
    vrf: str,
    diagnostic: str,
  }),
  networkEvent('network.config_committed', 'configuration was committed or saved on a device', [], {
    user: str,
    commit_id: strOrInt,
    comment: str,
    diff: str,
  }),
  networkEvent(
    'network.config_rollback',
    'a configuration rollback was requested on a device (applied: false when it is only loaded into the candidate and a commit must follow)',
    [],
    {
      user: str,
      rollback: { ...strOrInt, description: 'rollback number or commit id' },
      applied: { type: 'boolean' },
    },
  ),
  networkEvent('network.syslog', 'a syslog message no more specific type matched', ['message'], {
    facility: strOrInt,
    program: str,
    pid: strOrInt,
    hostname: str,
    timestamp: str,
    msgid: str,
    structured_data: { type: 'object' },
  }),
  networkEvent('network.snmp_trap', 'an SNMP trap or inform no more specific type matched', ['trap_oid'], {
    trap_oid: { ...str, description: 'snmpTrapOID.0 as dotted numbers' },
    version: str,
    community: str,
    agent_address: str,
    uptime: int,
    varbinds: { type: 'array', items: { type: 'object', required: ['oid'], properties: { oid: str, type: str, value: {} } } },
  }),
  ...openstackEvents('network', openstackNetwork),
  ...openstackEvents('port', openstackPort),
  ...openstackEvents('subnet', openstackSubnet),
];

export function registerBuiltins(registry: TriggerRegistry): void {
  for (const spec of BUILTIN_TRIGGER_TYPES) registry.register(spec);
}
