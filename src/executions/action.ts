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

/** A runner runs one action execution to completion. Workflow runners are handled by the engine. */
export interface Runner {
  readonly runnerType: string;
  run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk>;
}
