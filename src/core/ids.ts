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
  }
  let t = now;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let c = counter;
  let seq = '';
  for (let i = 0; i < 4; i++) {
    seq = ALPHABET[c % 32] + seq;
    c = Math.floor(c / 32);
  }
  // Randomness from a pool refilled 4 KiB at a time: one crypto call per ~340 ids, not per id
  // (sensors mint an id per syslog message, hundreds of thousands a second).
  if (poolAt + 12 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  let tail = '';
  for (let i = 0; i < 12; i++) tail += ALPHABET[POOL[poolAt + i]! % 32];
  poolAt += 12;
  return time + seq + tail;
}

const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
