import type { OrquestaSpec } from './model.js';

/**
 * Barrier decisions for `join`. `join: all` waits for every inbound task, and can never open
 * once one of them can no longer arrive (orquesta's unreachable join: the workflow fails);
 * `join: N` waits for N of them. "Can still reach" is read from the
 * static graph: an inbound task is still possible when some active task (running, held,
 * or another barrier that may still open) can lead to it without passing the barrier.
 */
export type JoinDecision = 'ready' | 'wait' | 'never';

export function joinDecision(spec: OrquestaSpec, joinName: string, arrived: readonly string[], active: ReadonlySet<string>): JoinDecision {
  const task = spec.tasks[joinName]!;
  const inbound = spec.inbound[joinName] ?? [];
  const got = new Set(arrived);
  const missing = inbound.filter((n) => !got.has(n));
  const reachable = reachableFrom(spec, active, joinName);
  const stillPossible = missing.filter((n) => reachable.has(n)).length;
  if (task.join === 'all') {
    // as orquesta: every inbound task must arrive; one that no longer can makes the join unreachable
    if (missing.length === 0) return 'ready';
    return stillPossible === missing.length ? 'wait' : 'never';
  }
  const need = task.join ?? 1;
  if (arrived.length >= need) return 'ready';
  return arrived.length + stillPossible >= need ? 'wait' : 'never';
}

/** Every task reachable from `from` (inclusive) along `do` edges, not passing `barrier`. */
function reachableFrom(spec: OrquestaSpec, from: ReadonlySet<string>, barrier: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...from].filter((n) => n !== barrier);
  while (queue.length) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const m of spec.outbound[n] ?? []) if (m !== barrier && !seen.has(m)) queue.push(m);
  }
  return seen;
}
