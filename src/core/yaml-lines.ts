/**
 * Find the line of a node in block-style YAML by walking indentation, for error messages.
 * Flow-style ({a: 1}) children resolve to the line of their parent, which is still the
 * right place to look.
 *
 * Loaders ask for a line per task, per criterion, per parameter, so the file is split into
 * tokens once and every block's children are indexed the first time a path passes through
 * it: a lookup costs O(depth), and a whole file O(its size). (Scanning per lookup made a
 * 10,000-task workflow take minutes to load.)
 */

interface Token {
  indent: number;
  dash: boolean;
  body: string;
  line: number;
}

/** Split block YAML into tokens; "- key: v" yields a dash token and a key token 2 columns in. */
function tokenize(lines: string[]): Token[] {
  const out: Token[] = [];
  lines.forEach((raw, n) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#') || t === '---' || t === '...') return;
    let indent = raw.length - raw.trimStart().length;
    let body = raw.trimStart();
    while (body === '-' || body.startsWith('- ')) {
      out.push({ indent, dash: true, body: '-', line: n + 1 });
      const rest = body.slice(1);
      const pad = rest.length - rest.trimStart().length;
      body = rest.trimStart();
      indent += 1 + pad;
      if (body === '') return;
    }
    out.push({ indent, dash: false, body, line: n + 1 });
  });
  return out;
}

const KEY_END = /\s*:(\s|$)/;

/** The key a `key: value` line names, with quotes taken off; null for other lines. */
function keyOf(body: string): string | null {
  const q = body[0];
  if (q === '"' || q === "'") {
    const close = body.indexOf(q, 1);
    if (close === -1) return null;
    return KEY_END.exec(body.slice(close + 1))?.index === 0 ? body.slice(1, close) : null;
  }
  const m = KEY_END.exec(body);
  return m ? body.slice(0, m.index) : null;
}

/** A line finder over `text`: `(path) => line` of the node at path or of its nearest ancestor. */
export function lineLocator(text: string): (path: ReadonlyArray<string | number>) => number | undefined {
  let toks: Token[] | null = null;
  // Indexes by the token where a block's children start (unique per block).
  const keysAt = new Map<number, Map<string, number>>();
  const itemsAt = new Map<number, number[]>();
  const endOf = new Map<number, number>();

  /** Keys at the first child indent of a block: the first token naming each wins. */
  const keys = (toks: Token[], start: number, end: number, parentIndent: number): Map<string, number> => {
    let map = keysAt.get(start);
    if (map) return map;
    map = new Map();
    let childIndent = -1;
    for (let i = start; i < end; i++) {
      const t = toks[i]!;
      if (t.indent <= parentIndent) break;
      if (childIndent === -1) childIndent = t.indent;
      if (t.indent !== childIndent || t.dash) continue;
      const key = keyOf(t.body);
      if (key !== null && !map.has(key)) map.set(key, i);
    }
    keysAt.set(start, map);
    return map;
  };

  /** The dashes of a block's list items, at the indent of its first dash. */
  const items = (toks: Token[], start: number, end: number): number[] => {
    let list = itemsAt.get(start);
    if (list) return list;
    list = [];
    let itemIndent = -1;
    for (let i = start; i < end; i++) {
      const t = toks[i]!;
      if (!t.dash) continue;
      if (itemIndent === -1) itemIndent = t.indent;
      if (t.indent === itemIndent) list.push(i);
    }
    itemsAt.set(start, list);
    return list;
  };

  /** Where the block of the token at `hit` ends: a key's block keeps same-indent dashes (a list under it). */
  const blockEnd = (toks: Token[], hit: number): number => {
    let end = endOf.get(hit);
    if (end !== undefined) return end;
    const { indent, dash } = toks[hit]!;
    end = toks.length;
    for (let i = hit + 1; i < toks.length; i++) {
      const t = toks[i]!;
      if (dash ? t.indent <= indent : t.indent < indent || (t.indent === indent && !t.dash)) {
        end = i;
        break;
      }
    }
    endOf.set(hit, end);
    return end;
  };

  return (path) => {
    toks ??= tokenize(text.split(/\r?\n/));
    let start = 0;
    let end = toks.length;
    let parentIndent = -1;
    let found: number | undefined;
    for (const seg of path) {
      const hit = typeof seg === 'string' ? keys(toks, start, end, parentIndent).get(seg) : items(toks, start, end)[seg];
      if (hit === undefined) return found;
      parentIndent = toks[hit]!.indent;
      start = hit + 1;
      end = blockEnd(toks, hit);
      found = toks[hit]!.line;
    }
    return found;
  };
}
