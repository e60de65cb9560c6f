import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
let lastTime = 0;
let counter = 0;

/**
 * Time-ordered unique id (26 chars, sortable as text): 10 chars of milliseconds, then
 * a per-millisecond counter and randomness. Ids created later sort after earlier ones
 * in the same process, which keeps "list newest first" a plain ORDER BY id.
 */
export function newId(): string {
  const now = Date.now();
  if (now === lastTime) counter++;
  else {
    lastTime = now;
    counter = 0;
    timePart = base32(now, 10);
  }
  // two base32 digits per lookup: a syslog flood mints an id per message, hundreds of thousands a second
  const seq = PAIRS[(counter >>> 10) & 1023]! + PAIRS[counter & 1023]!;
  // Randomness from a pool refilled 64 KiB at a time: one crypto call per ~5,000 ids, not per id.
  if (poolAt + 12 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const p = POOL;
  const i = poolAt;
  poolAt += 12;
  return (
    timePart +
    seq +
    PAIRS[((p[i]! & 31) << 5) | (p[i + 1]! & 31)]! +
    PAIRS[((p[i + 2]! & 31) << 5) | (p[i + 3]! & 31)]! +
    PAIRS[((p[i + 4]! & 31) << 5) | (p[i + 5]! & 31)]! +
    PAIRS[((p[i + 6]! & 31) << 5) | (p[i + 7]! & 31)]! +
    PAIRS[((p[i + 8]! & 31) << 5) | (p[i + 9]! & 31)]! +
    PAIRS[((p[i + 10]! & 31) << 5) | (p[i + 11]! & 31)]!
  );
}

/** The last `digits` base32 digits of n, most significant first. */
function base32(n: number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) {
    out = ALPHABET[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/** Every two-digit base32 string, by value (0..1023). */
const PAIRS = Array.from({ length: 1024 }, (_, v) => ALPHABET[v >> 5]! + ALPHABET[v & 31]!);
let timePart = '';

const POOL = Buffer.alloc(65536);
let poolAt = POOL.length;
