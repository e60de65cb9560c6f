import type { ThrottleCounterRepository } from '../store/repositories/index.js';
import { throttleOutcome, type Decision } from './enforcer.js';

/**
 * The firings of throttled rules, counted against the store's shared counters (a rules node of a
 * cluster: the enforcer was built with sharedThrottles). Every such decision of one call is
 * counted in one round trip; decisions without `throttle` are returned as they are.
 *
 * The count is taken before the decision is recorded. A node that dies in between leaves the
 * slot taken: the event stays undecided and whichever node decides it again (the next owner of
 * its partition) gets the same verdict for it, not a second slot. Only a firing never decided
 * again (its throttle key renders differently the next time) leaves a slot used for nothing,
 * until the window passes: the error is on the side of throttling.
 */
export async function settleSharedThrottles(decisions: Decision[], counters: ThrottleCounterRepository): Promise<Decision[]> {
  const firing = decisions.filter((d) => d.throttle !== undefined);
  if (firing.length === 0) return decisions;
  const counts = await counters.claim(
    firing.map((d) => {
      const spec = d.rule.throttle!;
      return {
        rule: d.rule.ref,
        key: d.throttle!.key,
        eventId: d.event.id,
        now: d.throttle!.at,
        perMs: spec.perMs,
        max: spec.max,
        escalates: spec.then !== null,
      };
    }),
  );
  let i = 0;
  return decisions.map((d) => (d.throttle ? throttleOutcome(d.rule, d.event, d.parameters ?? {}, d.throttle.key, counts[i++]!) : d));
}
