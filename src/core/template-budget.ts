import { performance } from 'node:perf_hooks';
import { NrxError } from './errors.js';

/**
 * What one render may spend. Templates are written by people with very different rights (a
 * pack author, an admin making a rule, an observer trying one in the rule tester), and all of
 * them run on the API's event loop, so every render is bounded: a template that would loop,
 * call or print past these limits stops with NRX_ERR_TEMPLATE naming the limit, long before
 * it could stall the appliance.
 */
export interface TemplateLimits {
  /** Wall-clock time for one render (all strings of a rule's parameters count together). */
  timeoutMs: number;
  /** Wall-clock time for a preview an API caller asks for (the rule tester): it runs in the request. */
  previewTimeoutMs: number;
  /** Characters of rendered text; values one operation makes may exceed their input by this much at most. */
  maxOutputChars: number;
  /** Loop iterations, all loops of the render together, counted before each loop starts. */
  maxLoopIterations: number;
  /** Function, macro and filter calls. */
  maxCalls: number;
  /** Items one range() may make. */
  maxRange: number;
}

export const DEFAULT_TEMPLATE_LIMITS: Readonly<TemplateLimits> = Object.freeze({
  timeoutMs: 250,
  previewTimeoutMs: 50,
  maxOutputChars: 1024 * 1024,
  maxLoopIterations: 100_000,
  maxCalls: 100_000,
  maxRange: 10_000,
});

/** Environment variables that override the defaults (whole positive numbers). */
export const TEMPLATE_LIMIT_ENV: Readonly<Record<keyof TemplateLimits, string>> = {
  timeoutMs: 'NETREFLEX_TEMPLATE_TIMEOUT_MS',
  previewTimeoutMs: 'NETREFLEX_TEMPLATE_PREVIEW_TIMEOUT_MS',
  maxOutputChars: 'NETREFLEX_TEMPLATE_MAX_OUTPUT',
  maxLoopIterations: 'NETREFLEX_TEMPLATE_MAX_ITERATIONS',
  maxCalls: 'NETREFLEX_TEMPLATE_MAX_CALLS',
  maxRange: 'NETREFLEX_TEMPLATE_MAX_RANGE',
};

/** Strings and lists a filter or method takes are refused above this many times maxOutputChars. */
export const VALUE_CAP_FACTOR = 16;

export function templateLimitsFromEnv(env: NodeJS.ProcessEnv): TemplateLimits {
  const out = { ...DEFAULT_TEMPLATE_LIMITS };
  for (const [field, name] of Object.entries(TEMPLATE_LIMIT_ENV) as Array<[keyof TemplateLimits, string]>) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new NrxError('NRX_ERR_CONFIG', `${name} must be a whole number above 0 (got ${JSON.stringify(raw)})`);
    out[field] = n;
  }
  return out;
}

let limits: TemplateLimits | null = null;

/** The limits in force: NETREFLEX_TEMPLATE_* from the environment over the defaults, read once. */
export function templateLimits(): TemplateLimits {
  limits ??= templateLimitsFromEnv(process.env);
  return limits;
}

/** Change the limits for this process (tests, embedding); unnamed fields keep their value. */
export function setTemplateLimits(change: Partial<TemplateLimits>): TemplateLimits {
  limits = { ...templateLimits(), ...change };
  return limits;
}

/** Whether `| decrypt_kv` may show plaintext in this render, or '********'. */
export type SecretView = 'reveal' | 'mask';

/** One render's counters. Renders are synchronous, so the one in progress is a stack top. */
export class RenderBudget {
  readonly limits: TemplateLimits;
  /** Time spent running templates so far; compiling and the caller's own work do not count. */
  private spent = 0;
  private runningSince: number | null = null;
  private iterations = 0;
  private calls = 0;
  private ticks = 0;
  /** Secrets shown as the mask in this render (the rule tester tells the caller). */
  masked = 0;
  /** The sandbox's own refusal, kept because nunjucks rewraps errors and drops the cause. */
  refusal: NrxError | null = null;
  /**
   * Undefined is an error when written (Jinja's StrictUndefined, as Orquesta renders): set by
   * the render for a context that asks for it (template.ts, TEMPLATE_STRICT).
   */
  strictUndefined = false;
  /** The last name a lookup did not find, for the message when undefined is written. */
  lastMissing: string | null = null;

  constructor(
    readonly secrets: SecretView,
    given: TemplateLimits = templateLimits(),
  ) {
    this.limits = given;
  }

  /** Run template code (one compiled render) on this budget's clock. */
  run<T>(fn: () => T): T {
    if (this.runningSince !== null) return fn();
    this.runningSince = performance.now();
    try {
      return fn();
    } finally {
      this.spent += performance.now() - this.runningSince;
      this.runningSince = null;
    }
  }

  /** A loop is about to run `n` times. */
  loop(n: number): void {
    this.iterations += n;
    if (this.iterations > this.limits.maxLoopIterations) {
      throw this.refuse(`the template would run more than ${this.limits.maxLoopIterations} loop iterations`, 'loop iterations', this.limits.maxLoopIterations);
    }
    this.checkTime();
  }

  call(): void {
    if (++this.calls > this.limits.maxCalls)
      throw this.refuse(`the template made more than ${this.limits.maxCalls} calls (functions, macros, filters)`, 'calls', this.limits.maxCalls);
    this.checkTime();
  }

  /** A cheap step (a name or member read); the clock is read every 64 of them. */
  tick(): void {
    if ((++this.ticks & 63) === 0) this.checkTime();
  }

  checkTime(): void {
    const now = this.runningSince === null ? this.spent : this.spent + performance.now() - this.runningSince;
    if (now > this.limits.timeoutMs) {
      throw this.refuse(`the template ran longer than ${this.limits.timeoutMs} ms`, 'time', this.limits.timeoutMs);
    }
  }

  /** Text of `n` characters would be written or made. */
  output(n: number, what = 'the rendered text'): void {
    if (n > this.limits.maxOutputChars) throw this.outputRefusal(n, what);
  }

  outputRefusal(n: number | null, what = 'the rendered text'): NrxError {
    const message =
      n === null
        ? `a text the template builds would be longer than JavaScript allows; the output limit is ${this.limits.maxOutputChars}`
        : `${what} would be ${n} characters; the limit is ${this.limits.maxOutputChars}`;
    return this.refuse(message, 'output size', this.limits.maxOutputChars);
  }

  /** The largest string or list a filter or method may take. */
  get valueCap(): number {
    return this.limits.maxOutputChars * VALUE_CAP_FACTOR;
  }

  refuse(message: string, limit: string, max: number): NrxError {
    return this.keep(new NrxError('NRX_ERR_TEMPLATE', message, { details: { limit, max } }));
  }

  keep(e: NrxError): NrxError {
    this.refusal ??= e;
    return e;
  }
}

const stack: RenderBudget[] = [];

/** The render in progress, if any. */
export function currentRender(): RenderBudget | null {
  return stack.length ? stack[stack.length - 1]! : null;
}

export interface RenderOptions {
  secrets?: SecretView;
  /** A tighter time limit than the configured one (previews use previewTimeoutMs). */
  timeoutMs?: number;
}

/**
 * Run `fn` as one render. Without options, a nested call (renderValue -> renderString)
 * shares the budget in progress, so a rule's parameters are bounded together, not per string.
 */
export function withRender<T>(opts: RenderOptions, fn: (b: RenderBudget) => T): T {
  const outer = currentRender();
  if (outer && opts.secrets === undefined && opts.timeoutMs === undefined) return fn(outer);
  const base = outer?.limits ?? templateLimits();
  // A nested render may only narrow: what the outer one masks stays masked.
  const secrets = outer?.secrets === 'mask' ? 'mask' : (opts.secrets ?? outer?.secrets ?? 'reveal');
  const b = new RenderBudget(secrets, opts.timeoutMs === undefined ? base : { ...base, timeoutMs: Math.min(base.timeoutMs, opts.timeoutMs) });
  stack.push(b);
  try {
    return fn(b);
  } finally {
    stack.pop();
  }
}

/**
 * A preview for an API caller (the rule tester): the preview time limit, and secrets in clear
 * only for a caller who could read them anyway.
 */
export function withPreview<T>(secrets: SecretView, fn: () => T): T {
  return withRender({ secrets, timeoutMs: templateLimits().previewTimeoutMs }, fn);
}

/**
 * Whether a secret may be shown in clear here. Renders for automation (rules firing,
 * workflows) reveal; previews for a caller who cannot read secrets (the rule tester) mask.
 */
export function templateMayRevealSecrets(): boolean {
  return currentRender()?.secrets !== 'mask';
}

/** Count a secret shown as the mask in the current render. */
export function noteMaskedSecret(): void {
  const b = currentRender();
  if (b) b.masked++;
}
