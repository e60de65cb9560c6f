import type { TaskSpec, TransitionSpec } from './model.js';
import { ENGINE_COMMANDS } from './model.js';

/**
 * Orquesta's splits. A task that is not a join and that more than one transition names runs
 * once per arriving branch, and everything after it (up to and including a join) runs once per
 * branch too: each branch is a "route". A task inside a loop is not a split (its runs are the
 * loop's turns, not branches).
 */
export function splitTasks(tasks: Record<string, TaskSpec>, outbound: Record<string, string[]>): string[] {
  const refs: Record<string, number> = {};
  for (const t of Object.values(tasks))
    for (const tr of t.next) for (const target of new Set(tr.do)) if (!ENGINE_COMMANDS.has(target)) refs[target] = (refs[target] ?? 0) + 1;
  const looped = tasksInLoops(outbound);
  return Object.keys(tasks).filter((n) => tasks[n]!.join === null && (refs[n] ?? 0) > 1 && !looped.has(n));
}

/** The route a run of `target` reached through transition `index` of `from` (on `route`) belongs to. */
export function routeInto(splits: readonly string[], route: string, from: TaskSpec, index: number, target: string): string {
  if (!splits.includes(target)) return route;
  // orquesta names the branch by the source task and which of its transitions to the target it was (t0, t1...)
  const nth = from.next.slice(0, index).filter((tr: TransitionSpec) => tr.do.includes(target)).length;
  const label = `${from.name}__t${nth}`;
  const parts = route === '' ? [] : route.split('|');
  return parts.includes(label) ? route : [...parts, label].join('|');
}

/** Tasks on a cycle of the task graph (strongly connected components of size > 1, or a self-loop). */
export function tasksInLoops(outbound: Record<string, string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out = new Set<string>();
  let counter = 0;
  // iterative Tarjan: a long chain of tasks must not overflow the call stack
  for (const root of Object.keys(outbound)) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = outbound[top.node] ?? [];
      if (top.next < succ.length) {
        const m = succ[top.next++]!;
        if (!index.has(m)) {
          index.set(m, counter);
          low.set(m, counter++);
          stack.push(m);
          onStack.add(m);
          work.push({ node: m, next: 0 });
        } else if (onStack.has(m)) low.set(top.node, Math.min(low.get(top.node)!, index.get(m)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.node);
        if (comp.length > 1 || (outbound[top.node] ?? []).includes(top.node)) for (const c of comp) out.add(c);
      }
    }
  }
  return out;
}

/**
 * Orquesta turns `do: retry` into the task's retry policy (`when` the transition's condition,
 * else completed(); 3 retries) evaluated before any transition, and drops it from `next`.
 */
export function retryCommandPolicy(t: TaskSpec): TaskSpec {
  if (!t.next.some((tr) => tr.do.includes('retry'))) return t;
  let when: unknown = null;
  const next: TransitionSpec[] = [];
  for (const tr of t.next) {
    if (!tr.do.includes('retry')) next.push(tr);
    else {
      when = tr.when ?? '<% completed() %>'; // the last retry command wins, as in orquesta's composer
      const rest = tr.do.filter((d) => d !== 'retry');
      if (rest.length) next.push({ ...tr, do: rest });
    }
  }
  if (t.action === null && t.waitFor === null) return { ...t, next };
  return { ...t, next, retry: { when, count: 3, delay: null } };
}
