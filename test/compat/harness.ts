/**
 * Run StackStorm workflows and ActionChains from public repositories through netreflex's
 * conductors with every action rehearsed (scripted results, no I/O), and report the status and
 * the task sequence, to compare with what StackStorm produces.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYamlFile } from '../../src/core/yaml-file.js';
import { declaredRunner, missingRunnerReason } from '../../src/executions/runners/registry.js';
import { loadPacks } from '../../src/packs/pack-loader.js';
import type { ConductorCommand } from '../../src/workflows/conductor.js';
import { actionChainConductor } from '../../src/workflows/actionchain/conductor.js';
import { parseActionChain } from '../../src/workflows/actionchain/spec.js';
import { orquestaConductor } from '../../src/workflows/orquesta/conductor.js';
import { parseOrquesta } from '../../src/workflows/orquesta/spec.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

type RunTask = Extract<ConductorCommand, { kind: 'runTask' }>;
export interface Answer {
  status: 'succeeded' | 'failed';
  result: unknown;
}
/** How an action answers: by task name, else by action ref, else StackStorm's shape of a command that worked. */
export type Script = Record<string, Answer | Answer[]>;

export interface Outcome {
  status: string;
  /** Task names in the order they were started. */
  tasks: string[];
  /** Why it ended as it did, when it failed. */
  errors: string[];
  output: Record<string, unknown> | null;
}

/** What StackStorm's local/remote runners return for a command that exited 0. */
export const SHELL_OK = (stdout = ''): Answer => ({ status: 'succeeded', result: { stdout, stderr: '', return_code: 0, succeeded: true, failed: false } });
/** A core.noop (or any action) that failed. */
export const FAILED: Answer = { status: 'failed', result: { failed: true, succeeded: false, return_code: 1 } };
export const SHELL_FAIL = (stderr = 'boom'): Answer => ({ status: 'failed', result: { stdout: '', stderr, return_code: 1, succeeded: false, failed: true } });

/** The value a shell command line would see: netreflex passes template values as NRX_Vn variables. */
function commandText(cmd: unknown): string {
  const text = String(cmd ?? '');
  const values = new Map<string, string>();
  const body = text.replace(/^NRX_V(\d+)='((?:[^']|'\\'')*)'\n/gm, (_all, n: string, v: string) => {
    values.set(n, v.replace(/'\\''/g, "'"));
    return '';
  });
  return body.replace(/"?\$\{NRX_V(\d+)\}"?/g, (_all, n: string) => values.get(n) ?? '');
}

/**
 * What StackStorm's core actions give back when they work, so a workflow reads results as it
 * would there: a command's stdout (echo prints its words, `exit N` fails with N), core.echo its
 * message, core.ask an approval, core.http a 200, any other (Python) action {result, stdout, ...}.
 */
export function defaultAnswer(cmd: RunTask): Answer {
  switch (cmd.action) {
    case 'core.noop':
      return { status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0 } };
    case 'core.echo':
      return SHELL_OK(String(cmd.input.message ?? ''));
    case 'core.local':
    case 'core.remote':
    case 'core.local_sudo':
    case 'core.remote_sudo': {
      const line = commandText(cmd.input.cmd).trim();
      const exit = /^exit\s+(\d+)$/.exec(line);
      if (exit && exit[1] !== '0')
        return { status: 'failed', result: { stdout: '', stderr: '', return_code: Number(exit[1]), succeeded: false, failed: true } };
      const echo = /^echo\s+(.*)$/s.exec(line);
      return SHELL_OK(echo ? echo[1]!.replace(/^(['"])(.*)\1$/s, '$2') : '');
    }
    case 'core.ask':
      return { status: 'succeeded', result: { response: { continue: true, approved: true } } };
    case 'core.http':
      return { status: 'succeeded', result: { status_code: 200, body: {}, parsed: true, headers: {} } };
    default:
      return { status: 'succeeded', result: { result: {}, stdout: '', stderr: '', exit_code: 0 } };
  }
}

function answerFor(cmd: RunTask, script: Script, used: Map<string, number>): Answer {
  const entry = script[cmd.taskName] ?? script[cmd.action];
  if (entry === undefined) return defaultAnswer(cmd);
  if (!Array.isArray(entry)) return entry;
  const key = script[cmd.taskName] !== undefined ? cmd.taskName : cmd.action;
  const i = used.get(key) ?? 0;
  used.set(key, i + 1);
  return entry[Math.min(i, entry.length - 1)]!;
}

/** Drive a conductor, answering runTask commands in the order issued; wait_for tasks are never answered. */
function drive<S>(
  start: { state: S; commands: ConductorCommand[] },
  step: (state: S, cmd: RunTask, a: Answer, now: number) => { state: S; commands: ConductorCommand[] },
  script: Script,
  limit = 2000,
): { tasks: string[]; complete: Extract<ConductorCommand, { kind: 'complete' }> | null; state: S } {
  const used = new Map<string, number>();
  const tasks: string[] = [];
  const pending: RunTask[] = [];
  let state = start.state;
  let complete: Extract<ConductorCommand, { kind: 'complete' }> | null = null;
  // a task's retries and its items are one entry of the sequence, as in orquesta's rehearsals
  const seen = new Set<string>();
  const take = (cmds: ConductorCommand[]): void => {
    for (const c of cmds) {
      if (c.kind === 'runTask') {
        const key = c.taskKey.replace(/\[\d+\]$/, '');
        if (!seen.has(key)) tasks.push(c.taskName);
        seen.add(key);
        pending.push(c);
      }
      if (c.kind === 'complete') complete = c;
    }
  };
  take(start.commands);
  for (let n = 0; n < limit && pending.length && !complete; n++) {
    const cmd = pending.shift()!;
    const s = step(state, cmd, answerFor(cmd, script, used), n + 1);
    state = s.state;
    take(s.commands);
  }
  return { tasks, complete, state };
}

export function runOrquesta(file: string, input: Record<string, unknown> = {}, script: Script = {}): Outcome {
  const spec = parseOrquesta(loadYamlFile(file));
  const r = drive(
    orquestaConductor.start(spec, input, 0, { action_context: { execution_id: 'x', user: 'stanley' } }, {}, { trustedCommands: true }),
    (state, cmd, a, now) => orquestaConductor.step(spec, state, { kind: 'taskCompleted', taskKey: cmd.taskKey, status: a.status, result: a.result, now }),
    script,
  );
  const done = r.complete as Extract<ConductorCommand, { kind: 'complete' }> | null;
  return {
    status: done?.status ?? orquestaConductor.status(r.state),
    tasks: r.tasks,
    errors: (done?.errors ?? []).map((e) => `${e.code}: ${e.message}`),
    output: done?.output ?? null,
  };
}

export function runChain(file: string, input: Record<string, unknown> = {}, script: Script = {}): Outcome {
  const spec = parseActionChain(loadYamlFile(file));
  const r = drive(
    actionChainConductor.start(spec, input, 0, { action_context: { execution_id: 'x', user: 'stanley' } }),
    (state, cmd, a, now) => actionChainConductor.step(spec, state, { kind: 'taskCompleted', taskKey: cmd.taskKey, status: a.status, result: a.result, now }),
    script,
  );
  const done = r.complete as Extract<ConductorCommand, { kind: 'complete' }> | null;
  return {
    status: done?.status ?? actionChainConductor.status(r.state),
    tasks: r.tasks,
    errors: (done?.errors ?? []).map((e) => `${e.code}: ${e.message}`),
    output: done?.output ?? null,
  };
}

export interface PackReport {
  /** Action metadata files of the pack. */
  files: number;
  runnable: string[];
  /** Loaded, but no runner here: the reason the appliance reports. */
  notRunnable: Array<{ action: string; reason: string }>;
  /** Files that failed to load, with the error (file, line, field). */
  refused: Array<{ file: string; error: string }>;
}

/**
 * Load fixture packs as the appliance would. Script files are not part of the fixtures (only
 * metadata and workflow files are), so a temp copy gets an empty file at each missing entry_point.
 */
export function loadFixturePacks(packs: string[]): Map<string, PackReport> {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-compat-'));
  for (const p of packs) {
    const dst = path.join(root, p);
    cpSync(path.join(FIXTURES, 'packs', p), dst, { recursive: true });
    const actions = path.join(dst, 'actions');
    for (const f of readdirSync(actions).filter((n) => n.endsWith('.yaml'))) {
      const doc = loadYamlFile(path.join(actions, f)).doc as { entry_point?: unknown; runner_type?: unknown } | null;
      const ep = doc?.entry_point;
      if (typeof ep !== 'string' || ep === '' || String(doc?.runner_type).match(/orquesta|action-chain/)) continue;
      const target = path.join(actions, ep);
      if (!existsSync(target)) {
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, '');
      }
    }
  }
  const loaded = loadPacks([root]);
  const out = new Map<string, PackReport>();
  for (const p of packs)
    out.set(p, { files: readdirSync(path.join(root, p, 'actions')).filter((n) => n.endsWith('.yaml')).length, runnable: [], notRunnable: [], refused: [] });
  for (const a of loaded.actions.values()) {
    const r = out.get(a.pack);
    if (!r) continue;
    if (declaredRunner(a.runnerType)) r.runnable.push(a.ref);
    else r.notRunnable.push({ action: a.ref, reason: `${a.runnerType}: ${missingRunnerReason(a.runnerType)}` });
  }
  for (const e of loaded.errors) {
    const file = String(e.location?.file ?? '');
    const pack = packs.find((p) => file.startsWith(path.join(root, p) + path.sep));
    if (pack) out.get(pack)!.refused.push({ file: path.relative(path.join(root, pack), file), error: e.message });
  }
  return out;
}

/** StackStorm hands a workflow its action's parameter defaults: the inputs a run from `st2 run` gets. */
export function actionDefaults(packDir: string, entryPoint: string): Record<string, unknown> {
  const actions = path.join(packDir, 'actions');
  for (const f of readdirSync(actions).filter((n) => n.endsWith('.yaml'))) {
    const doc = loadYamlFile(path.join(actions, f)).doc as { entry_point?: unknown; parameters?: Record<string, { default?: unknown }> } | null;
    if (doc?.entry_point !== entryPoint) continue;
    const out: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(doc.parameters ?? {})) if (p && p.default !== undefined) out[k] = p.default;
    return out;
  }
  return {};
}
