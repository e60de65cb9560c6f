import type { Appliance } from '../appliance.js';
import type { AuthService } from '../auth/auth-service.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Principal } from '../auth/roles.js';
import type { Logger } from '../core/log.js';
import { NrxError } from '../core/errors.js';
import type { CredentialStore } from '../datastore/credentials.js';
import type { KeyValueStore } from '../datastore/keyvalue.js';
import type { InventoryService } from '../inventory/inventory-service.js';
import type { ApiMetrics } from './metrics.js';
import type { ApiRuleStore } from './rule-store.js';
import type { ApiStream } from './stream.js';
import type { ApiPorts } from './ports.js';
import type { ClusterView } from '../appliance/cluster-membership.js';
import type { WebhookCounters } from '../sensors/webhook/counters.js';

export interface ApiDeps {
  appliance: Appliance;
  inventory: InventoryService;
  kv: KeyValueStore;
  credentials: CredentialStore;
  auth: AuthService;
  log?: Logger;
  /**
   * The broadcaster the Appliance's onExecutionUpdate feeds (see stream.ts). Without it the
   * app makes its own and sees events but not execution updates.
   */
  stream?: ApiStream;
  /** Where `POST /api/v1/packs/install` puts packs (default <dataDir>/packs). */
  packsDir?: string;
  /** Called after a pack is installed or removed, so the appliance reloads its content. */
  reloadContent?: () => Promise<void>;
  /** Sensor counters for /metrics: sensor name -> counter name -> value. */
  sensorCounters?: () => Record<string, Record<string, number>>;
  /** What became of the network sensors' events (stored, coalesced, shed...) for /metrics. */
  intakeCounts?: () => Readonly<Record<string, number>>;
  /** GET /api/v1/cluster: the nodes sharing this store, the bus backlog (default: this node alone). */
  cluster?: () => Promise<ClusterView>;
  /** Where `POST /api/v1/inventory/sync` reads hosts/groups/defaults.yaml from. */
  inventoryDir?: string;
  /** Failed-login throttle (default: one per app with the standard limits; tests give one a clock). */
  loginThrottle?: LoginThrottle;
  /** The rules created through the API, when the assembly already opened them (default: opened here). */
  rules?: ApiRuleStore;
  /** The webhook sensor's counters, when the assembly keeps them (default: the app's own). */
  webhookCounters?: WebhookCounters;
}

/** What every route module gets. */
export interface RouteContext {
  deps: ApiDeps;
  stream: ApiStream;
  metrics: ApiMetrics;
  rules: ApiRuleStore;
  /** What each group of routes may use of the appliance (see ports.ts). */
  ports: ApiPorts;
  packsDir: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook; null only on anonymous routes. */
    principal: Principal | null;
    /** What the audit row should name, when the route knows better than its params. */
    auditInfo: { target?: string; detail?: unknown } | null;
  }
}

/** The caller of a route that needs a credential (the auth hook has already checked it). */
export function callerOf(req: { principal: Principal | null }): Principal {
  if (!req.principal) throw new NrxError('NRX_ERR_UNAUTHORIZED', 'this route needs a credential');
  return req.principal;
}
