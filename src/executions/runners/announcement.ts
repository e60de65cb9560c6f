import { SECRET_MASK } from '../../core/secrets.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';

export const ANNOUNCEMENT_RUNNER: RunnerDeclaration = {
  runnerType: 'announcement',
  aliases: [],
  parameters: {
    experimental: { type: 'boolean', default: false, required: true, description: 'StackStorm requires true to acknowledge the runner is experimental.' },
    route: { type: 'string', default: 'general', minLength: 1, maxLength: 255, description: 'Where the announcement goes (the event payload carries it).' },
  },
};

/** The event type an announcement becomes; rules match it like any other. */
export const ANNOUNCEMENT_TRIGGER = 'core.announcement';

/**
 * StackStorm's announcement runner: the action's parameters go out as an event
 * (`core.announcement`, payload `{route, payload}`) that rules, `event tail` and the API
 * stream see. The result is the parameters, as in StackStorm. StackStorm insists on
 * `experimental: true`; so does this.
 */
export class AnnouncementRunner implements Runner {
  readonly runnerType = ANNOUNCEMENT_RUNNER.runnerType;
  readonly aliases = ANNOUNCEMENT_RUNNER.aliases;
  readonly parameters = ANNOUNCEMENT_RUNNER.parameters;

  constructor(private readonly emit: (event: EventEnvelope) => Promise<void>) {}

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    if (params.experimental !== true) {
      return {
        status: 'failed',
        result: null,
        error: {
          code: 'NRX_ERR_PARAM_INVALID',
          message: `action ${action.ref}: the announcement runner needs experimental: true (StackStorm's acknowledgement that it is experimental)`,
        },
      };
    }
    const route = typeof params.route === 'string' && params.route !== '' ? params.route : 'general';
    const own = this.parameters;
    const payload: Record<string, unknown> = {};
    // An event is stored and streamed: secret parameters go out masked.
    for (const [k, v] of Object.entries(params)) if (!(k in own)) payload[k] = action.parameters[k]?.secret ? SECRET_MASK : v;
    await this.emit(makeEvent(ANNOUNCEMENT_TRIGGER, { route, payload }, { source: `action:${action.ref}`, ...(ctx.traceId ? { traceId: ctx.traceId } : {}) }));
    ctx.log(`announced on route ${route}`);
    return { status: 'succeeded', result: payload };
  }
}
