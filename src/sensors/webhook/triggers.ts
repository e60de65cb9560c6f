import type { JsonSchema, TriggerRegistry, TriggerTypeSpec } from '../../events/trigger-registry.js';

/**
 * Trigger types only webhooks produce. `core.webhook` and the `openstack.network_*`, `port_*`,
 * `subnet_*` types ship with the engine (src/events/builtin-triggers.ts); these cover the rest:
 * Neutron notifications no specific type fits, and Prometheus Alertmanager alerts.
 */
const str = { type: 'string' } as const;
const obj = { type: 'object' } as const;
const strOrNull = { type: ['string', 'null'] } as const;

const notificationMeta: JsonSchema = {
  type: 'object',
  description: 'the oslo notification around the resource: event_type, publisher_id, priority, timestamp, message_id, request_id, project_id, user_id',
  additionalProperties: true,
};

function alertEvent(ref: string, description: string): TriggerTypeSpec {
  return {
    ref,
    description,
    payloadSchema: {
      type: 'object',
      required: ['alertname', 'status', 'labels'],
      additionalProperties: true,
      properties: {
        alertname: { ...str, description: "the alert's alertname label" },
        status: { enum: ['firing', 'resolved'] },
        severity: { ...str, description: 'the severity label, when the alert has one' },
        labels: { ...obj, description: 'every label of the alert' },
        annotations: { ...obj, description: 'summary, description, runbook_url...' },
        startsAt: str,
        endsAt: str,
        fingerprint: { ...strOrNull, description: "Alertmanager's fingerprint (null from versions that do not send one)" },
        generatorURL: strOrNull,
        receiver: strOrNull,
        externalURL: strOrNull,
        groupKey: strOrNull,
        commonLabels: obj,
      },
    },
  };
}

export const WEBHOOK_TRIGGER_TYPES: readonly TriggerTypeSpec[] = [
  {
    ref: 'openstack.notification',
    description: 'a Neutron notification no openstack.network_*, port_* or subnet_* type fits (routers, floating IPs, security groups, *.start...)',
    payloadSchema: {
      type: 'object',
      required: ['event_type'],
      additionalProperties: true,
      properties: { event_type: { ...str, description: 'e.g. router.create.end' }, publisher_id: strOrNull, payload: {}, notification: notificationMeta },
    },
  },
  alertEvent('prometheus.alert_firing', 'an Alertmanager webhook reported an alert firing (one event per alert in the group)'),
  alertEvent('prometheus.alert_resolved', 'an Alertmanager webhook reported an alert resolved (one event per alert in the group)'),
];

/** Register the webhook trigger types; ones already registered (by the appliance) are left as they are. */
export function registerWebhookTriggers(registry: TriggerRegistry): void {
  for (const spec of WEBHOOK_TRIGGER_TYPES) if (!registry.has(spec.ref)) registry.register(spec);
}
