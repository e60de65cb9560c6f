import { randomBytes } from 'node:crypto';

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
  const rnd = randomBytes(12);
  let tail = '';
  for (let i = 0; i < 12; i++) tail += ALPHABET[rnd[i]! % 32];
  return time + seq + tail;
}
