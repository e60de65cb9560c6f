import path from 'node:path';
import type { KeyValueStore } from '../../datastore/keyvalue.js';
import type { EventEnvelope } from '../../events/envelope.js';
import type { Runner } from '../action.js';
import { AnnouncementRunner } from './announcement.js';
import { PythonEnvironments } from './python-env.js';
import { PythonScriptRunner } from './python-script.js';
import { PackWorkspace } from './pack-workspace.js';
import { resolveRunAs } from './run-as.js';
import type { RemoteHostResolver } from '../../../drivers/access/targets.js';
import { RemoteShellRunner } from './remote-shell.js';

export interface ApplianceRunnerDeps {
  dataDir: string;
  kv: KeyValueStore;
  remoteHosts: RemoteHostResolver;
  emit: (event: EventEnvelope) => Promise<void>;
  /** Interpreter for python-script (default /usr/bin/python3; NETREFLEX_PYTHON). */
  python?: string;
}

/** The StackStorm runners that need the appliance's datastore, inventory or event bus. */
export function applianceRunners(deps: ApplianceRunnerDeps): Runner[] {
  // Actions run as NETREFLEX_RUNNER_USER when the appliance is root, like local commands; that
  // user cannot enter the data dir, so its virtualenvs then live in the runner's work folder.
  const workspace = new PackWorkspace(resolveRunAs());
  const python = deps.python ?? process.env.NETREFLEX_PYTHON;
  const envs = new PythonEnvironments({
    ...(python ? { python } : {}),
    venvRoot: workspace.venvRoot() ?? path.join(deps.dataDir, 'virtualenvs'),
  });
  return [
    new PythonScriptRunner({ envs, kv: deps.kv, dataDir: deps.dataDir, workspace }),
    new RemoteShellRunner('remote-shell-cmd', deps.remoteHosts),
    new RemoteShellRunner('remote-shell-script', deps.remoteHosts),
    new AnnouncementRunner(deps.emit),
  ];
}
