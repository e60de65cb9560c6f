import type { TriggerRegistry, TriggerTypeSpec } from '../../events/trigger-registry.js';

/** Trigger types only the trap sensor emits; linkDown/linkUp and BGP use the shipped network.* types. */
export const SNMPTRAP_TRIGGER_TYPES: readonly TriggerTypeSpec[] = [
  {
    ref: 'network.device_restarted',
    description: 'a device (re)started: SNMP coldStart or warmStart',
    payloadSchema: {
      type: 'object',
      required: ['restart'],
      additionalProperties: true,
      properties: {
        device: { type: 'string' },
        host: { type: 'string', description: 'the agent address' },
        restart: { enum: ['cold', 'warm'] },
        trap_oid: { type: 'string' },
        uptime: { type: 'integer' },
      },
    },
  },
];

export function registerSnmpTrapTriggers(registry: TriggerRegistry): void {
  for (const spec of SNMPTRAP_TRIGGER_TYPES) registry.register(spec);
}
