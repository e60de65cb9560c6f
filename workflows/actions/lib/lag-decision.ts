/**
 * What a LAG member failure calls for, decided from data only (unit-tested apart from any device):
 *   left_alone       the member is shut by configuration (by a person, or by an earlier run): not ours to touch
 *   below_min_links  the members up besides this one are fewer than the LAG's minimum links:
 *                    taking it out would break the LAG, and it is failing anyway: a human, now
 *   flapping         flap_count distinct downs within the window: take the member out of the LAG
 *   recovered        up again and not flapping: nothing to do
 *   watch            down: open a ticket and wait for it to come back
 */
export type LagVerdict = 'left_alone' | 'below_min_links' | 'flapping' | 'recovered' | 'watch';

export interface LagMemberView {
  lag: string;
  member: string;
  up: boolean;
  adminUp?: boolean;
  loadPercent?: number;
}

export interface LagAssessment {
  verdict: LagVerdict;
  device: string;
  lag: string | null;
  member: string;
  /** The failed member as the device shows it now (null when the LAG does not list it). */
  member_up: boolean | null;
  /** The other members that are up. */
  others_up: string[];
  min_links: number;
  downs: number;
  flap_count: number;
  window_s: number;
  /** How traffic is spread now: member -> share of the LAG's bytes (per cent), where known. */
  spread: Record<string, number | null>;
  /** One line for a ticket or a chat message. */
  summary: string;
}

export interface LagFacts {
  device: string;
  member: string;
  lag: string | null;
  members: unknown[];
  minLinks: number;
  flapCount: number;
  windowSeconds: number;
  downs: number;
}

export function decideLagAction(f: LagFacts): LagAssessment {
  const all = f.members.filter(isMemberView);
  const lag = f.lag ?? all.find((m) => same(m.member, f.member))?.lag ?? null;
  const inLag = all.filter((m) => lag !== null && m.lag === lag);
  const self = inLag.find((m) => same(m.member, f.member));
  const othersUp = inLag.filter((m) => !same(m.member, f.member) && m.up).map((m) => m.member);
  const spread = Object.fromEntries(inLag.map((m) => [m.member, typeof m.loadPercent === 'number' ? m.loadPercent : null]));
  let verdict: LagVerdict;
  if (self?.adminUp === false) verdict = 'left_alone';
  else if (othersUp.length < f.minLinks) verdict = 'below_min_links';
  else if (f.downs >= f.flapCount) verdict = 'flapping';
  else if (self?.up) verdict = 'recovered';
  else verdict = 'watch';
  const where = `${f.member} of ${lag ?? 'its LAG'} on ${f.device}`;
  const spreadText = inLag.map((m) => `${m.member} ${m.up ? 'up' : 'down'}${typeof m.loadPercent === 'number' ? ` ${m.loadPercent}%` : ''}`).join(', ');
  const why: Record<LagVerdict, string> = {
    left_alone: 'shut down by configuration: not touching it',
    below_min_links: `only ${othersUp.length} other member(s) up, the LAG needs ${f.minLinks}: escalating, no change made`,
    flapping: `${f.downs} downs within ${f.windowSeconds} s (flapping at ${f.flapCount}): taking it out of the LAG`,
    recovered: 'up again and not flapping: nothing to do',
    watch: `down (${f.downs} down(s) within ${f.windowSeconds} s); ${othersUp.length} other member(s) carry the traffic: watching for recovery`,
  };
  return {
    verdict,
    device: f.device,
    lag,
    member: f.member,
    member_up: self ? self.up : null,
    others_up: othersUp,
    min_links: f.minLinks,
    downs: f.downs,
    flap_count: f.flapCount,
    window_s: f.windowSeconds,
    spread,
    summary: `LAG member ${where}: ${why[verdict]}${spreadText ? ` [${spreadText}]` : ''}`,
  };
}

function isMemberView(m: unknown): m is LagMemberView {
  const o = m as Partial<LagMemberView> | null;
  return typeof o === 'object' && o !== null && typeof o.lag === 'string' && typeof o.member === 'string' && typeof o.up === 'boolean';
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
