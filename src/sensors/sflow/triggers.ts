import type { JsonSchema, TriggerRegistry, TriggerTypeSpec } from '../../events/trigger-registry.js';

/**
 * Trigger types only sFlow counters can produce (threshold crossings per interface). Interface
 * up/down and LAG member events use the shipped network.* types.
 */
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;

function thresholdEvent(ref: string, description: string, properties: Record<string, JsonSchema>): TriggerTypeSpec {
  return {
    ref,
    description,
    payloadSchema: {
      type: 'object',
      required: ['interface', 'threshold'],
      additionalProperties: true,
      properties: {
        device: str,
        host: { ...str, description: 'sFlow agent address' },
        interface: { ...str, description: 'port name when the agent sends it, else the ifIndex' },
        ifIndex: int,
        threshold: { ...num, description: 'the configured threshold, per cent' },
        ...properties,
      },
    },
  };
}

export const SFLOW_TRIGGER_TYPES: readonly TriggerTypeSpec[] = [
  thresholdEvent('network.interface_utilisation_high', 'an interface crossed its utilisation threshold (sFlow counters)', {
    direction: { enum: ['in', 'out'] },
    utilisation: { ...num, description: 'per cent of ifSpeed over the last counter interval' },
    speed: { ...num, description: 'ifSpeed, bits per second' },
  }),
  thresholdEvent('network.interface_errors_high', 'an interface crossed its error-rate threshold (sFlow counters)', {
    direction: { enum: ['in', 'out'] },
    error_rate: { ...num, description: 'errors per 100 packets over the last counter interval' },
    errors: { ...int, description: 'errors in the interval' },
  }),
];

export function registerSflowTriggers(registry: TriggerRegistry): void {
  for (const spec of SFLOW_TRIGGER_TYPES) registry.register(spec);
}
