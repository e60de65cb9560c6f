import type { Sensor, SensorCounterGroups } from '../sensor.js';
import { WebhookCounters } from './counters.js';

/**
 * The webhook receivers as a sensor: the API's routes do the listening (POST /api/v1/webhooks/...),
 * so start and stop have nothing to open or close; the counters are kept here, per kind.
 */
export class WebhookSensor implements Sensor {
  readonly name = 'webhook';
  readonly counts = new WebhookCounters();

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  counters(): SensorCounterGroups {
    return this.counts.snapshot();
  }
}
