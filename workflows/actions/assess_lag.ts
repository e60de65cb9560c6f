import { NrxError } from '../../src/core/errors.js';
import type { PackActionContext } from '../../src/executions/runners/module-services.js';
import { decideLagAction, type LagAssessment } from './lib/lag-decision.js';

/** Reads the member's recent downs from the appliance's events, then decides (lib/lag-decision.ts). */
export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<LagAssessment> {
  const device = text(params.device, 'device');
  const member = text(params.member, 'member');
  const windowMs = durationMs(params.flap_window ?? '60s');
  const since = Date.now() - windowMs;
  const downs = (await ctx.services.events.recent('network.lag_member_down', 1_000)).filter(
    (e) =>
      !e.duplicateOf &&
      e.device === device &&
      typeof e.payload.member === 'string' &&
      e.payload.member.toLowerCase() === member.toLowerCase() &&
      Date.parse(e.time) >= since,
  );
  return decideLagAction({
    device,
    member,
    lag: typeof params.lag === 'string' && params.lag !== '' ? params.lag : null,
    members: Array.isArray(params.members) ? params.members : [],
    minLinks: typeof params.min_links === 'number' ? params.min_links : 1,
    flapCount: typeof params.flap_count === 'number' && params.flap_count > 0 ? params.flap_count : 3,
    windowSeconds: windowMs / 1000,
    downs: downs.length,
  });
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter '${field}' must be a non-empty string`, { location: { field } });
  return v.trim();
}

function durationMs(v: unknown): number {
  const m = typeof v === 'string' ? /^(\d+)\s*(ms|s|m|h)?$/.exec(v.trim()) : typeof v === 'number' ? [String(v), String(v), 's'] : null;
  if (!m || Number(m[1]) <= 0)
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'flap_window' must be a duration such as 60s, 2m or 1h, got ${JSON.stringify(v)}`, {
      location: { field: 'flap_window' },
    });
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}
