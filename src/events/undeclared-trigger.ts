import { NrxError } from '../core/errors.js';

/**
 * An event of a type nothing declares reaches no rule and no workflow waiting for it, so an
 * operator's typo (network.bgp_peer_down for network.bgp_peer_state_changed) would vanish
 * silently. Emitting one by hand is refused; a type is declared when the trigger registry has
 * it (built-in, sensor and webhook types) or a loaded rule names it.
 */
export function assertDeclaredTrigger(type: string, declared: readonly string[]): void {
  if (declared.includes(type)) return;
  const near = nearest(type, declared);
  throw new NrxError(
    'NRX_ERR_TRIGGER_UNKNOWN',
    `no trigger type '${type}' is registered and no rule names it, so no rule would see this event${near ? `; did you mean '${near}'?` : ''} ` +
      '(`netreflex trigger list` lists the types; a rule naming a type declares it)',
    { details: { type, ...(near ? { didYouMean: near } : {}) } },
  );
}

/** The declared type sharing the most words (split on . and _) with `type`, if it shares two. */
function nearest(type: string, declared: readonly string[]): string | null {
  const words = new Set(type.toLowerCase().split(/[._-]/));
  let best: string | null = null;
  let bestScore = 1;
  for (const d of declared) {
    const score = d
      .toLowerCase()
      .split(/[._-]/)
      .filter((w) => words.has(w)).length;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}
