import type { Logger } from '../core/log.js';
import type { KvReadThrough } from '../core/template-datastore.js';
import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { HostNames } from '../workflows/conductor.js';
import type { ActionSpec, AnyRunner } from './action.js';
import type { ConcurrencyRule } from './admission.js';
import type { ExecutionPlacement } from './ownership.js';
import type { RetryRule } from './retry.js';

/** The appliance's runners by runner_type: action runners run, workflow runners are conducted, inquiries wait. */
export interface RunnerLookup {
  get(runnerType: string): AnyRunner | undefined;
}

export interface ExecutionContextInput {
  ruleRef?: string;
  triggerInstanceId?: string;
  traceId?: string;
  user?: string;
  rerunOf?: string;
  /** The caller may choose commands (admin, the shell grant on the action's pack, or the local CLI). */
  shellGranted?: boolean;
}

export interface EngineOptions {
  store: Store;
  actions: Map<string, ActionSpec>;
  runners: RunnerLookup;
  concurrency?: ConcurrencyRule[];
  retries?: RetryRule[];
  log?: Logger;
  now?: () => number;
  /** Called after every persisted status change (API stream, CLI tail). */
  onUpdate?: (rec: ExecutionRecord) => void;
  /**
   * Names templates may use besides their data: the datastore's `st2kv`, for templated parameter
   * defaults and for workflows. A workflow passes `through`, so each key's first read is recorded
   * with its state. None: templates see no datastore.
   */
  templateNames?: (opts?: { through?: KvReadThrough }) => HostNames;
  /** Action runs one workflow may start (the runaway guard); default NETREFLEX_WORKFLOW_MAX_TASKS, else 10,000. */
  maxWorkflowTasks?: number;
  /** Several nodes share the store: which node runs what, sealed secret parameters, device locks and concurrency slots across nodes. None: this process alone. */
  placement?: ExecutionPlacement;
}
