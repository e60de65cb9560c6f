/**
 * Per-agent datagram sequence tracking. sFlow agents number their datagrams (per agent address
 * and sub-agent); a gap is datagrams lost on the way, a big step back is an agent restart.
 */
export interface SequenceVerdict {
  /** Datagrams missing between the previous one and this one. */
  lost: number;
  /** The agent restarted (sequence went back): counting starts again. */
  restarted: boolean;
  /** An old datagram arriving late or twice (a small step back). */
  late: boolean;
}

/** A step back bigger than this is a restart, not reordering. */
const REORDER_WINDOW = 64;
/** A jump forward bigger than this is treated as a restart too: no agent loses a billion datagrams. */
const MAX_GAP = 1_000_000;

export class SequenceTracker {
  private readonly last = new Map<string, number>();
  lostTotal = 0;
  restarts = 0;

  observe(agent: string, subAgentId: number, sequence: number): SequenceVerdict {
    const key = `${agent}/${subAgentId}`;
    const prev = this.last.get(key);
    if (prev === undefined) {
      this.last.set(key, sequence);
      return { lost: 0, restarted: false, late: false };
    }
    const step = (sequence - prev) >>> 0; // modulo 2^32: the counter wraps
    if (step === 0) return { lost: 0, restarted: false, late: true };
    if (step <= MAX_GAP) {
      this.last.set(key, sequence);
      this.lostTotal += step - 1;
      return { lost: step - 1, restarted: false, late: false };
    }
    if ((prev - sequence) >>> 0 <= REORDER_WINDOW) return { lost: 0, restarted: false, late: true };
    this.last.set(key, sequence);
    this.restarts++;
    return { lost: 0, restarted: true, late: false };
  }

  /** Agents seen, for the counters endpoint. */
  get agents(): number {
    return this.last.size;
  }
}
