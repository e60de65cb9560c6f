import type { TargetSource } from '../../drivers/access/device-command.js';
import type { Appliance, Content } from '../appliance.js';
import type { Logger } from '../core/log.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { TriggerRegistry } from '../events/trigger-registry.js';
import { aliasesOf, type AliasIndex } from '../packs/alias-index.js';
import type { ExecutionEngine } from '../executions/engine.js';
import type { UnrunnableAction } from '../packs/runner-support.js';
import type { RuleIndex } from '../rules/matcher.js';
import type { Store } from '../store/store.js';

/**
 * What each group of routes needs of the appliance, and nothing more: a route module sees its
 * port, not the whole Appliance, so what a route can reach is visible here and a test can give
 * a route a small fake.
 */

/** /api/v1/events and /api/v1/trigger-types: the event history, accepting an event, the trigger types. */
export interface EventsPort {
  store: Pick<Store, 'listTriggerInstances' | 'getTriggerInstance' | 'listEnforcements' | 'getExecution'>;
  emit(event: EventEnvelope): Promise<void>;
  triggers: Pick<TriggerRegistry, 'list'>;
  /** Trigger types an operator may emit: registered, or named by a loaded rule. */
  declaredTypes(): string[];
}

/** /api/v1/executions and inquiries: running, controlling and reading executions. */
export interface ExecutionsPort {
  engine: Pick<ExecutionEngine, 'actions' | 'request' | 'respondInquiry' | 'cancel' | 'pause' | 'resume'>;
  store: Pick<Store, 'getExecution' | 'listExecutions' | 'listEnforcements' | 'listTasks'>;
}

/** /api/v1/health: a read that proves the store answers. */
export interface HealthPort {
  store: Pick<Store, 'listControlRequests'>;
}

/** /api/v1/webhooks: the webhook trigger types are registered, events validated and accepted. */
export interface WebhooksPort {
  /** The registry itself: the webhook trigger types are registered in it. */
  triggers: TriggerRegistry;
  emit(event: EventEnvelope): Promise<void>;
  log: Logger;
}

/** /api/v1/actions: the loaded actions. */
export interface ActionsPort {
  actions: ExecutionEngine['actions'];
}

/** /api/v1/packs: what is loaded, from where, and what cannot run. */
export interface PacksPort {
  readonly content: Content;
  readonly packsPaths: readonly string[];
  unrunnable(): Map<string, UnrunnableAction[]>;
}

/** /api/v1/rules: the live rule index, the actions rules name, the datastore names templates see. */
export interface RulesPort {
  index: RuleIndex;
  actions: ExecutionEngine['actions'];
  templateNames(): Record<string, unknown>;
}

/** /api/v1/inventory/exec: devices by name with the appliance's credentials and known hosts. */
export type DevicesPort = TargetSource;

/** /api/v1/actionalias and /api/v1/aliasexecution: the aliases of the loaded packs, running what they name, posting results back. */
export interface AliasesPort {
  aliases(): AliasIndex;
  engine: Pick<ExecutionEngine, 'actions' | 'request' | 'wait'>;
  emit(event: EventEnvelope): Promise<void>;
}

export interface ApiPorts {
  events: EventsPort;
  executions: ExecutionsPort;
  health: HealthPort;
  webhooks: WebhooksPort;
  actions: ActionsPort;
  packs: PacksPort;
  rules: RulesPort;
  aliases: AliasesPort;
  devices: DevicesPort;
}

/** The ports of one appliance (the API is built on a whole appliance; each route gets its part). */
export function portsOf(appliance: Appliance): ApiPorts {
  return {
    events: {
      store: appliance.store,
      emit: (e) => appliance.emit(e),
      triggers: appliance.triggers,
      declaredTypes: () => [...new Set([...appliance.triggers.list().map((t) => t.ref), ...appliance.rules.all().map((r) => r.trigger.type)])],
    },
    executions: { engine: appliance.engine, store: appliance.store },
    health: { store: appliance.store },
    webhooks: { triggers: appliance.triggers, emit: (e) => appliance.emit(e), log: appliance.log },
    actions: { actions: appliance.engine.actions },
    packs: appliance,
    rules: { index: appliance.rules, actions: appliance.engine.actions, templateNames: () => appliance.kv.templateNames() },
    aliases: { aliases: () => aliasesOf(appliance.content.loaded.packs), engine: appliance.engine, emit: (e) => appliance.emit(e) },
    devices: { target: (name) => appliance.devices.target(name) },
  };
}
