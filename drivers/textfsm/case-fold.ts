/**
 * Case-insensitive matching spelled out by hand, for the parts of a pattern under `(?i:...)`
 * (JavaScript in Node 20 has one `i` flag for the whole regex). Characters are grouped by their
 * simple case mapping, so `k` also finds KELVIN SIGN and `s` LONG S, as Python's re does.
 */

// Letters with case mappings live below U+1F000; higher code points map to themselves, and so do
// the big caseless blocks skipped below (CJK, Hangul, surrogates, private use).
const LIMIT = 0x1f000;
const CASELESS: Array<[number, number]> = [
  [0x3400, 0x9fff],
  [0xac00, 0xf8ff],
];
let groups: Map<number, number[]> | undefined;
/**
 * Letters re treats as equal that toUpperCase/toLowerCase do not pair: U+0130's full lowercase is
 * i + dot above (its simple one, which re uses, is i); Greek dialytika-tonos and the st ligatures
 * have no single-letter uppercase.
 */
const SAME_AS: Record<number, number> = { 0x130: 0x69, 0x1fd3: 0x390, 0x1fe3: 0x3b0, 0xfb06: 0xfb05 };

function single(s: string): number | undefined {
  const cp = s.codePointAt(0)!;
  return s.length === String.fromCodePoint(cp).length ? cp : undefined;
}

function key(cp: number): number {
  const same = SAME_AS[cp];
  if (same !== undefined) return same;
  const c = String.fromCodePoint(cp);
  const upper = c.toUpperCase();
  const viaUpper = single(upper) !== undefined ? single(upper.toLowerCase()) : undefined;
  return viaUpper ?? single(c.toLowerCase()) ?? cp;
}

function table(): Map<number, number[]> {
  if (groups) return groups;
  groups = new Map();
  for (let cp = 0; cp < LIMIT; cp++) {
    const skip = CASELESS.find(([lo, hi]) => cp >= lo && cp <= hi);
    if (skip) {
      cp = skip[1];
      continue;
    }
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
