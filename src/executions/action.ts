/** StackStorm action metadata, as loaded from a pack's actions/*.yaml. */

export interface ParamSpec {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';
  description?: string;
  default?: unknown;
  required?: boolean;
  immutable?: boolean;
  /** Redacted everywhere it could be shown: store, logs, API, CLI. */
  secret?: boolean;
  enum?: unknown[];
  position?: number;
  items?: unknown;
  properties?: unknown;
  [extra: string]: unknown;
}

export interface ActionSpec {
  /** `pack.name` */
  ref: string;
  pack: string;
  name: string;
  description: string;
  enabled: boolean;
  runnerType: string;
  /** Absolute path of the entry point (script, module or workflow file), when the runner has one. */
  entryPoint: string | null;
  parameters: Record<string, ParamSpec>;
  /** netreflex extension: safe to re-run after a crash while in flight. */
  idempotent: boolean;
  /** netreflex extension: hold a per-device lock for the whole execution. */
  deviceLock: { parameter: string; onConflict: 'wait' | 'fail' } | null;
  /** Default timeout in ms (parameter `timeout` overrides for runners that know it). */
  timeoutMs: number | null;
  /** The metadata file it came from. */
  file: string;
  /** Raw metadata for runner-specific fields. */
  meta: Record<string, unknown>;
}

export interface RunResultOk {
  status: 'succeeded' | 'failed' | 'timeout';
  /** What the action produced (stdout/stderr/return_code, body, module return value...). */
  result: unknown;
  error?: { code: string; message: string };
}

export interface RunContext {
  executionId: string;
  action: ActionSpec;
  /** Aborted on cancel or timeout; runners must stop promptly. */
  signal: AbortSignal;
  /** Stream an output line (kept, bounded, on the execution). */
  log(line: string): void;
  /** Parent workflow/trace context, available to module actions. */
  traceId: string | null;
}

/** What every runner type declares about itself: its name, other spellings, and parameters. */
export interface RunnerDeclaration {
  /** The runner_type actions name it by. */
  readonly runnerType: string;
  /** Other runner_type spellings StackStorm content uses for it (orchestra, inquirer). */
  readonly aliases: readonly string[];
  /**
   * Parameters every action of this runner accepts, as StackStorm's runner.yaml declares them.
   * An action's own parameter of the same name overrides attributes field by field (core.local
   * writes `sudo: {immutable: true}` and inherits type and default from here).
   */
  readonly parameters: Readonly<Record<string, ParamSpec>>;
}

/** A runner that runs one action execution to completion. */
export interface Runner extends RunnerDeclaration {
  readonly kind?: 'action';
  run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk>;
}

/** A workflow runner: the engine starts, pauses, resumes, cancels and recovers it; the workflow runtime conducts its file. */
export interface WorkflowRunner extends RunnerDeclaration {
  readonly kind: 'workflow';
}

/** The inquiry runner: its execution is pending until someone answers, and the answer must fit the inquiry. */
export interface InquiryRunner extends RunnerDeclaration {
  readonly kind: 'inquiry';
  /** Throws NRX_ERR_PARAM_INVALID naming the field when `response` does not fit the inquiry's parameters. */
  checkResponse(executionId: string, params: Record<string, unknown>, response: Record<string, unknown>): void;
}

/** Every runner type the appliance has, whoever carries its executions. */
export type AnyRunner = Runner | WorkflowRunner | InquiryRunner;
