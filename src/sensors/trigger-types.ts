import { registerBuiltins } from '../events/builtin-triggers.js';
import type { TriggerRegistry } from '../events/trigger-registry.js';
import { registerPollerTriggers } from './poller/events.js';
import { registerSflowTriggers } from './sflow/triggers.js';
import { registerSnmpTrapTriggers } from './snmptrap/triggers.js';
import { registerWebhookTriggers } from './webhook/triggers.js';

/** Every trigger type this appliance knows: the built-in contract plus what the sensors add. */
export function registerAllTriggerTypes(registry: TriggerRegistry): void {
  registerBuiltins(registry);
  registerSflowTriggers(registry);
  registerSnmpTrapTriggers(registry);
  registerPollerTriggers(registry);
  registerWebhookTriggers(registry);
}
