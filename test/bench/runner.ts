/**
 * The benchmark runner behind `npm run bench`: runs the benches of a table (name -> entry) one
 * after the other and prints a row per result the moment it is measured. Nothing one bench does
 * can take another's figures with it: a bench that throws or hangs gets a FAILED row, a peer that
 * fails gets "peer failed: why" in its row, a bench this machine cannot run gets "skipped: why",
 * and the run goes on. The exit status says whether every figure was measured.
 */
import { fmt, type BenchResult, type Emit } from './stats.js';

export interface BenchContext {
  /** Print a result now (results a bench returns are printed when it ends, unless emitted already). */
  emit: Emit;
}

export interface BenchEntry {
  run: (ctx: BenchContext) => Promise<BenchResult[] | void> | BenchResult[] | void;
  /** Debian packages of the peers it is compared with, installed before it runs (as the lab installs its own). */
  peers?: readonly string[];
  /** Why this machine cannot run it (root, the lab), or false. */
  skip?: () => string | false;
  /** Longest it may take before it is given up as failed. Default 20 minutes. */
  timeoutMs?: number;
}

export type BenchTable = Record<string, BenchEntry>;

export interface RunOutcome {
  rows: number;
  /** Benches that threw or timed out, with why. */
  failed: string[];
  /** Peers that could not be installed or measured, with why. */
  peerFailed: string[];
  skipped: string[];
}

export interface RunOptions {
  /** One line of output (default: stdout; pipes and TTYs are written synchronously on Linux, so each row is out at once). */
  write?: (line: string) => void;
  /** Installs Debian packages (default: the lab's ensurePackages); throws with the reason when it cannot. */
  install?: (packages: string[]) => Promise<unknown>;
}

const TIME_UNITS = new Set(['ms', 's', 'µs', 'ms wall', 's wall']);
const COLUMNS = ['bench', 'median', 'peer', 'ratio', 'goal'];

/** A table row in Markdown, so the output pastes into the README's performance table. */
export function formatRow(r: BenchResult): string {
  const peer = r.peerFailed ? `peer failed: ${r.peerFailed}` : r.peer ? `${fmt(r.peer.value)} (${r.peer.name})` : '';
  // for times lower is better: say how many times faster than the peer
  const ratio =
    r.peer && !r.peerFailed ? (TIME_UNITS.has(r.unit) ? `${(r.peer.value / r.value).toFixed(2)}x faster` : `${(r.value / r.peer.value).toFixed(2)}x`) : '';
  return `| ${[r.name, `${fmt(r.value)} ${r.unit}`, peer, ratio, r.goal ?? ''].map((c) => c.replaceAll('|', '/')).join(' | ')} |`;
}

function note(bench: string, what: string): string {
  return `| ${bench} | ${what.replaceAll('|', '/').replaceAll('\n', ' ')} | | | |`;
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

/** Names not in the table (the caller says so and exits 2). */
export function unknownBenches(table: BenchTable, names: string[]): string[] {
  return names.filter((n) => !Object.hasOwn(table, n));
}

export async function runBenches(table: BenchTable, names: string[], opts: RunOptions = {}): Promise<RunOutcome> {
  const write = opts.write ?? ((l: string) => void process.stdout.write(`${l}\n`));
  const install = opts.install ?? (async (p: string[]) => (await import('../lab/packages.js')).ensurePackages(p));
  const out: RunOutcome = { rows: 0, failed: [], peerFailed: [], skipped: [] };
  write(`| ${COLUMNS.join(' | ')} |`);
  write(`|${COLUMNS.map(() => '---').join('|')}|`);
  for (const name of names.length ? names : Object.keys(table)) {
    const entry = table[name]!;
    const skip = entry.skip?.();
    if (skip) {
      out.skipped.push(`${name}: ${skip}`);
      write(note(name, `skipped: ${skip}`));
      continue;
    }
    if (entry.peers?.length) {
      try {
        await install([...entry.peers]);
      } catch (e) {
        // the bench still runs: its own figures need no peer, and its rows say the peer is missing
        out.peerFailed.push(`${name}: ${reason(e)}`);
        write(note(name, `peer failed: could not install ${entry.peers.join(', ')}: ${reason(e)}`));
      }
    }
    const printed = new Set<BenchResult>();
    let open = true;
    const print = (r: BenchResult): void => {
      if (!open || printed.has(r)) return;
      printed.add(r);
      out.rows++;
      if (r.peerFailed) out.peerFailed.push(`${r.name}: ${r.peerFailed}`);
      write(formatRow(r));
    };
    const timeoutMs = entry.timeoutMs ?? 20 * 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const finished = Promise.resolve().then(() => entry.run({ emit: print }));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      });
      for (const r of (await Promise.race([finished, timedOut])) ?? []) print(r);
    } catch (e) {
      out.failed.push(`${name}: ${reason(e)}`);
      write(note(name, `FAILED: ${reason(e)}`));
    } finally {
      clearTimeout(timer);
      open = false; // a bench given up on may still resolve later: its rows would land under another's
    }
  }
  return out;
}

/** 0 when every figure was measured (skips are listed, not failures); 1 when a bench or a peer failed. */
export function exitStatus(o: RunOutcome): number {
  return o.failed.length || o.peerFailed.length ? 1 : 0;
}

export function summary(o: RunOutcome): string[] {
  return [
    ...o.skipped.map((s) => `skipped ${s}`),
    ...o.peerFailed.map((s) => `peer failed ${s}`),
    ...o.failed.map((s) => `FAILED ${s}`),
    `${o.rows} results; ${o.failed.length} benches failed, ${o.peerFailed.length} peer failures, ${o.skipped.length} skipped`,
  ];
}
