/**
 * Case-insensitive matching spelled out by hand, for the parts of a pattern under `(?i:...)`
 * (JavaScript in Node 20 has one `i` flag for the whole regex). Characters are grouped by their
 * simple case mapping, so `k` also finds KELVIN SIGN and `s` LONG S, as Python's re does.
 */

// Letters with case mappings live below U+1F000; higher code points map to themselves.
const LIMIT = 0x1f000;
let groups: Map<number, number[]> | undefined;

function single(s: string): number | undefined {
  const cp = s.codePointAt(0)!;
  return s.length === String.fromCodePoint(cp).length ? cp : undefined;
}

function key(cp: number): number {
  const c = String.fromCodePoint(cp);
  const upper = c.toUpperCase();
  const viaUpper = single(upper) !== undefined ? single(upper.toLowerCase()) : undefined;
  return viaUpper ?? single(c.toLowerCase()) ?? cp;
}

function table(): Map<number, number[]> {
  if (groups) return groups;
  groups = new Map();
  for (let cp = 0; cp < LIMIT; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const k = key(cp);
    if (k === cp && String.fromCodePoint(cp).toUpperCase() === String.fromCodePoint(cp)) continue;
    const g = groups.get(k);
    if (g) g.push(cp);
    else groups.set(k, [cp]);
  }
  for (const [k, g] of groups) if (!g.includes(k)) g.push(k);
  return groups;
}

/** The code points that match `cp` case-insensitively, `cp` included. */
export function caseVariants(cp: number): number[] {
  if (cp >= LIMIT) return [cp];
  const g = table().get(key(cp));
  return g && g.includes(cp) ? g : g ? [cp, ...g] : [cp];
}

/** Ranges closed under case: every code point's variants are added. */
export function caseClose(ranges: Array<[number, number]>): Array<[number, number]> {
  const extra = new Set<number>();
  for (const [lo, hi] of ranges) {
    for (let cp = lo; cp <= Math.min(hi, LIMIT - 1); cp++) {
      for (const v of caseVariants(cp)) if (v < lo || v > hi) extra.add(v);
    }
  }
  return [...ranges, ...[...extra].map((v): [number, number] => [v, v])];
}
