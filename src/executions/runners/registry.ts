import path from 'node:path';
import { NrxError } from '../../core/errors.js';
import type { KeyValueStore } from '../../datastore/keyvalue.js';
import { PackConfigStore } from '../../datastore/pack-config-store.js';
import type { EventEnvelope } from '../../events/envelope.js';
import type { TriggerInstanceRecord } from '../../store/records.js';
import type { AnyRunner, Runner, RunnerDeclaration } from '../action.js';
import { INQUIRY_RUNNER } from '../inquiry.js';
import { ANNOUNCEMENT_RUNNER, AnnouncementRunner } from './announcement.js';
import { CLI_CONFIG_RUNNER, CliConfigRunner } from './cli-config.js';
import type { CliResolver as CliDeviceResolver, EndpointResolver as NetconfDeviceResolver, RemoteHostResolver } from '../../../drivers/access/targets.js';
import { CLI_RUNNER, CliRunner } from './cli.js';
import { FanOutRunner, withFanOut, type DeviceSelector } from './fan-out-runner.js';
import { GETTER_RUNNER, GetterRunner } from './getter.js';
import { HTTP_REQUEST_RUNNER, HttpRequestRunner } from './http-request.js';
import { LOCAL_SHELL_CMD_RUNNER, LOCAL_SHELL_SCRIPT_RUNNER, LocalShellRunner } from './local-shell-cmd.js';
import { MODULE_RUNNER, ModuleRunner } from './module.js';
import { moduleServices } from './module-services.js';
import { NETCONF_RUNNER, NetconfRunner } from './netconf.js';
import { NOOP_RUNNER, NoopRunner } from './noop.js';
import { PackWorkspace } from './pack-workspace.js';
import { PythonEnvironments } from './python-env.js';
import { PYTHON_SCRIPT_RUNNER, PythonScriptRunner } from './python-script.js';
import { REMOTE_SHELL_CMD_RUNNER, REMOTE_SHELL_SCRIPT_RUNNER } from './remote-shell-parameters.js';
import { RemoteShellRunner } from './remote-shell.js';
import { resolveRunAs } from './run-as.js';
import { SNMP_RUNNER, SnmpRunner } from './snmp.js';
import { ACTION_CHAIN_RUNNER, ORQUESTA_RUNNER } from './workflow.js';

/** Who carries an execution: its runner (`run`), the workflow runtime, or the engine waiting for an answer. */
export type RunnerKind = 'action' | 'workflow' | 'inquiry';

export function kindOf(runner: AnyRunner): RunnerKind {
  return runner.kind ?? 'action';
}

/** What the appliance's runners need from it. */
export interface RunnerDeps {
  dataDir: string;
  kv: KeyValueStore;
  /** Events an action sends (announcement). */
  emit: (event: EventEnvelope) => Promise<void>;
  /** Hosts of the remote-shell runners. */
  remoteHosts: RemoteHostResolver;
  /** Devices of the cli, cli-config and getter runners. */
  cliDevices: CliDeviceResolver;
  /** Devices of the netconf and snmp runners. */
  netconfDevices: NetconfDeviceResolver;
  /** Device runners with `on`: which devices an inventory filter selects. */
  selectDevices: DeviceSelector;
  /** Stored events for module actions (ctx.services.events). */
  listEvents?: (filter: { type: string; limit: number }) => Promise<TriggerInstanceRecord[]>;
  /** Interpreter for python-script (default /usr/bin/python3; NETREFLEX_PYTHON). */
  python?: string;
}

interface Entry {
  declaration: RunnerDeclaration;
  kind: RunnerKind;
  make(deps: RunnerDeps): AnyRunner;
}

const action = (declaration: RunnerDeclaration, make: (deps: RunnerDeps) => Runner): Entry => ({ declaration, kind: 'action', make });
/** Device runners also run over an inventory filter (`on`). */
const device = (declaration: RunnerDeclaration, make: (deps: RunnerDeps) => Runner): Entry =>
  action(withFanOut(declaration), (deps) => new FanOutRunner(make(deps), deps.selectDevices));
/** Workflow and inquiry runners need nothing from the appliance: the declaration is the runner. */
const engine = (runner: AnyRunner & { kind: 'workflow' | 'inquiry' }): Entry => ({ declaration: runner, kind: runner.kind, make: () => runner });

/** Every runner type netreflex has, once: its declaration (name, aliases, parameters) and how the appliance makes it. */
const RUNNERS: readonly Entry[] = [
  action(LOCAL_SHELL_CMD_RUNNER, () => new LocalShellRunner('local-shell-cmd')),
  action(LOCAL_SHELL_SCRIPT_RUNNER, () => new LocalShellRunner('local-shell-script')),
  action(REMOTE_SHELL_CMD_RUNNER, (d) => new RemoteShellRunner('remote-shell-cmd', d.remoteHosts)),
  action(REMOTE_SHELL_SCRIPT_RUNNER, (d) => new RemoteShellRunner('remote-shell-script', d.remoteHosts)),
  action(PYTHON_SCRIPT_RUNNER, pythonScriptRunner),
  action(HTTP_REQUEST_RUNNER, () => new HttpRequestRunner()),
  action(
    MODULE_RUNNER,
    (d) => new ModuleRunner({ dataDir: d.dataDir, kv: d.kv, packConfig: new PackConfigStore(d.kv, d.dataDir), services: moduleServices(d) }),
  ),
  action(NOOP_RUNNER, () => new NoopRunner()),
  action(ANNOUNCEMENT_RUNNER, (d) => new AnnouncementRunner(d.emit)),
  device(CLI_RUNNER, (d) => new CliRunner(d.cliDevices)),
  device(CLI_CONFIG_RUNNER, (d) => new CliConfigRunner(d.cliDevices)),
  device(GETTER_RUNNER, (d) => new GetterRunner(d.cliDevices)),
  device(NETCONF_RUNNER, (d) => new NetconfRunner(d.netconfDevices)),
  device(SNMP_RUNNER, (d) => new SnmpRunner(d.netconfDevices)),
  engine(ORQUESTA_RUNNER),
  engine(ACTION_CHAIN_RUNNER),
  engine(INQUIRY_RUNNER),
];

function pythonScriptRunner(deps: RunnerDeps): Runner {
  // Actions run as NETREFLEX_RUNNER_USER when the appliance is root, like local commands; that
  // user cannot enter the data dir, so its virtualenvs then live in the runner's work folder.
  const workspace = new PackWorkspace(resolveRunAs());
  const python = deps.python ?? process.env.NETREFLEX_PYTHON;
  const envs = new PythonEnvironments({ ...(python ? { python } : {}), venvRoot: workspace.venvRoot() ?? path.join(deps.dataDir, 'virtualenvs') });
  return new PythonScriptRunner({ envs, kv: deps.kv, dataDir: deps.dataDir, packConfig: new PackConfigStore(deps.kv, deps.dataDir), workspace });
}

const byName = new Map<string, Entry>();
for (const e of RUNNERS) for (const name of [e.declaration.runnerType, ...e.declaration.aliases]) byName.set(name, e);

/** A runner type's declaration and kind, by its name or an alias; known before any runner exists (pack loading, parameter checks). */
export function declaredRunner(runnerType: string): { declaration: RunnerDeclaration; kind: RunnerKind } | undefined {
  return byName.get(runnerType);
}

/** The name a runner type is registered under (`orchestra` is `orquesta`); unknown names unchanged. */
export function canonicalRunnerType(runnerType: string): string {
  return byName.get(runnerType)?.declaration.runnerType ?? runnerType;
}

/** Every declared runner type. */
export function declaredRunners(): Array<{ declaration: RunnerDeclaration; kind: RunnerKind }> {
  return RUNNERS.map(({ declaration, kind }) => ({ declaration, kind }));
}

/**
 * Runner types StackStorm packs use that netreflex will never have, and what to do instead.
 * An action of one of these still loads (the pack's other content works); `pack list` and
 * `serve` say how many cannot run and why, and running one fails with this reason.
 */
const NEVER: Readonly<Record<string, string>> = {
  'mistral-v2': 'Mistral workflows are not supported (StackStorm itself removed Mistral in 3.3); port the workflow to orquesta',
  'mistral-v1': 'Mistral workflows are not supported (StackStorm itself removed Mistral in 3.3); port the workflow to orquesta',
  'winrm-cmd': 'Windows hosts over WinRM are not supported; run the command over remote-shell-cmd (OpenSSH on Windows) or an http-request',
  'winrm-ps-cmd': 'Windows hosts over WinRM are not supported; run the command over remote-shell-cmd (OpenSSH on Windows) or an http-request',
  'winrm-ps-script': 'Windows hosts over WinRM are not supported; run the script over remote-shell-script (OpenSSH on Windows)',
  cloudslang: 'CloudSlang flows are not supported; port the flow to orquesta',
  'windows-cmd': 'the old Windows runner (SMB) is not supported; StackStorm replaced it with WinRM, which netreflex does not have either',
  'windows-script': 'the old Windows runner (SMB) is not supported; StackStorm replaced it with WinRM, which netreflex does not have either',
};

/** Why an action of this runner type cannot run here. */
export function missingRunnerReason(runnerType: string): string {
  return NEVER[runnerType] ?? `netreflex has no runner '${runnerType}'`;
}

/** The runners this appliance runs actions with, by runner_type or alias. */
export class RunnerRegistry {
  private readonly runners = new Map<string, AnyRunner>();

  constructor(runners: Iterable<AnyRunner> = []) {
    for (const r of runners) this.register(r);
  }

  /** Add a runner under its type and aliases; a second runner for the same type replaces the first (tests, plugins). */
  register(runner: AnyRunner): this {
    for (const name of [runner.runnerType, ...runner.aliases]) this.runners.set(name, runner);
    return this;
  }

  get(runnerType: string): AnyRunner | undefined {
    return this.runners.get(runnerType);
  }

  has(runnerType: string): boolean {
    return this.runners.has(runnerType);
  }

  /** Like get, but an unknown type is an NRX_ERR_RUNNER_NOT_FOUND naming it and why. */
  require(runnerType: string): AnyRunner {
    const r = this.runners.get(runnerType);
    if (!r)
      throw new NrxError('NRX_ERR_RUNNER_NOT_FOUND', `no runner '${runnerType}': ${missingRunnerReason(runnerType)} (available: ${this.list().join(', ')})`);
    return r;
  }

  /** Registered runner types (aliases not repeated), sorted. */
  list(): string[] {
    return [...new Set([...this.runners.values()].map((r) => r.runnerType))].sort();
  }
}

/** Every runner netreflex has, made for this appliance. */
export function createRunners(deps: RunnerDeps): RunnerRegistry {
  return new RunnerRegistry(RUNNERS.map((e) => e.make(deps)));
}
