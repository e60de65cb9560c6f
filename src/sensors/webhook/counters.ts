import { SensorCounters } from '../common/counters.js';
import { WEBHOOK_KINDS, type WebhookKind } from './decode.js';

/**
 * The sensor counters plus `refused` (bad or missing token / signature), for one webhook kind.
 * Per request: received, decoded, malformed, refused. Per event a request carries: normalised,
 * unknown (`openstack.notification`), dropped (the appliance did not accept it).
 */
export class WebhookKindCounters extends SensorCounters {
  refused = 0;

  override snapshot(): ReturnType<SensorCounters['snapshot']> & { refused: number } {
    return { ...super.snapshot(), refused: this.refused };
  }

  override reset(): void {
    super.reset();
    this.refused = 0;
  }
}

/** Counters per kind, named `webhook/<kind>` in the sensor metrics. */
export class WebhookCounters {
  private readonly byKind = new Map<WebhookKind, WebhookKindCounters>(WEBHOOK_KINDS.map((k) => [k, new WebhookKindCounters(`webhook/${k}`)]));

  of(kind: WebhookKind): WebhookKindCounters {
    return this.byKind.get(kind)!;
  }

  /** The shape ApiDeps.sensorCounters returns: sensor -> counter -> value. */
  snapshot(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.byKind.values()].map((c) => [c.sensor, c.snapshot()]));
  }
}

/** Sensor counters from elsewhere and the webhook counters, as one ApiDeps.sensorCounters function. */
export function withWebhookCounters(
  others: (() => Record<string, Record<string, number>>) | undefined,
  webhooks: WebhookCounters,
): () => Record<string, Record<string, number>> {
  return () => ({ ...(others ? others() : {}), ...webhooks.snapshot() });
}
