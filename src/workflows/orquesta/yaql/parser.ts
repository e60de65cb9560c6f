import { yaqlError } from './errors.js';
import { RESERVED, tokenize, type Token } from './lexer.js';

/**
 * YAQL's grammar for the subset netreflex runs, with YAQL's operator precedence (tightest
 * first): `.` `?.`, indexer `[]`, unary `+ -`, `=~ !~`, `* / mod`, `+ -`, comparisons and
 * `in`, `not`, `and`, `or`. A bare name is a string (YAQL's keyword strings: `ctx(devices)`).
 * `==` is read as `=` (netreflex's own examples used it). What the grammar does not know
 * (lambdas `->`, `$name` variables, unknown functions) is refused here, at load.
 */
export type Node =
  | { k: 'lit'; v: unknown; pos: number }
  | { k: 'root'; pos: number }
  | { k: 'member'; obj: Node; name: string; safe: boolean; pos: number }
  | { k: 'index'; obj: Node; index: Node; pos: number }
  | { k: 'call'; name: string; recv: Node | null; args: Node[]; kwargs: Array<[string, Node]>; pos: number }
  | { k: 'unary'; op: string; x: Node; pos: number }
  | { k: 'bin'; op: string; a: Node; b: Node; pos: number }
  | { k: 'list'; items: Node[]; pos: number }
  | { k: 'dict'; entries: Array<[Node, Node]>; pos: number };

/** Deepest nesting accepted (brackets, calls): parsing recurses. */
export const MAX_DEPTH = 100;
/** Deepest tree accepted (`a+b+c...` and `.x.y.z...` chains too): evaluation recurses. */
export const MAX_TREE_DEPTH = 200;

export interface Callables {
  /** Names callable as functions `f(...)`. */
  functions: ReadonlySet<string>;
  /** Names callable as methods `x.f(...)`. */
  methods: ReadonlySet<string>;
}

const COMPARISONS = new Set(['=', '==', '!=', '<', '>', '<=', '>=']);

export function parseYaql(source: string, callables: Callables): Node {
  const tree = new Parser(source, tokenize(source), callables).parseAll();
  if (treeDepth(tree) > MAX_TREE_DEPTH) throw yaqlError(source, `the expression is more than ${MAX_TREE_DEPTH} operations deep`, 'nesting');
  return tree;
}

/** The tree's depth, walked without recursion (the tree may be deep: that is what is measured). */
function treeDepth(root: Node): number {
  let max = 0;
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_TREE_DEPTH) return max;
    for (const c of children(n)) stack.push([c, d + 1]);
  }
  return max;
}

export function children(n: Node): Node[] {
  switch (n.k) {
    case 'member':
      return [n.obj];
    case 'index':
      return [n.obj, n.index];
    case 'call':
      return [...(n.recv ? [n.recv] : []), ...n.args, ...n.kwargs.map(([, v]) => v)];
    case 'unary':
      return [n.x];
    case 'bin':
      return [n.a, n.b];
    case 'list':
      return n.items;
    case 'dict':
      return n.entries.flat();
    default:
      return [];
  }
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
    private readonly callables: Callables,
  ) {}

  parseAll(): Node {
    if (this.peek().kind === 'end') throw yaqlError(this.src, 'the expression is empty');
    const n = this.expr();
    const t = this.peek();
    if (t.kind !== 'end') throw this.unexpected(t);
    return n;
  }

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private isWord(text: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === text;
  }

  private expect(text: string): Token {
    if (!this.isOp(text)) {
      const t = this.peek();
      if (t.kind === 'op' && (t.text === '->' || t.text === ':')) this.unexpected(t);
      throw yaqlError(this.src, `expected '${text}' at column ${t.pos + 1}, found ${describe(t)}`, t.text || 'end');
    }
    return this.next();
  }

  private unexpected(t: Token): never {
    if (t.kind === 'op' && t.text === '->') throw yaqlError(this.src, `lambdas ('->') are not supported (column ${t.pos + 1})`, '->');
    if (t.kind === 'op' && t.text === ':') throw yaqlError(this.src, `':' is not YAQL; a dict is written {key => value} (column ${t.pos + 1})`, ':');
    throw yaqlError(this.src, `unexpected ${describe(t)} at column ${t.pos + 1}`, t.text || 'end');
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw yaqlError(this.src, `the expression nests deeper than ${MAX_DEPTH} levels`, 'nesting');
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private expr(): Node {
    return this.nested(() => this.or());
  }

  private or(): Node {
    let a = this.and();
    while (this.isWord('or')) {
      const pos = this.next().pos;
      a = { k: 'bin', op: 'or', a, b: this.and(), pos };
    }
    return a;
  }

  private and(): Node {
    let a = this.not();
    while (this.isWord('and')) {
      const pos = this.next().pos;
      a = { k: 'bin', op: 'and', a, b: this.not(), pos };
    }
    return a;
  }

  private not(): Node {
    if (this.isWord('not')) {
      const pos = this.next().pos;
      return this.nested(() => ({ k: 'unary', op: 'not', x: this.not(), pos }));
    }
    return this.comparison();
  }

  private comparison(): Node {
    let a = this.additive();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' && COMPARISONS.has(t.text) ? t.text : t.kind === 'name' && t.text === 'in' ? 'in' : null;
      if (!op) return a;
      this.next();
      a = { k: 'bin', op: op === '==' ? '=' : op, a, b: this.additive(), pos: t.pos };
    }
  }

  private additive(): Node {
    let a = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      a = { k: 'bin', op: t.text, a, b: this.multiplicative(), pos: t.pos };
    }
    return a;
  }

  private multiplicative(): Node {
    let a = this.match();
    while (this.isOp('*') || this.isOp('/') || this.isWord('mod')) {
      const t = this.next();
      a = { k: 'bin', op: t.text, a, b: this.match(), pos: t.pos };
    }
    return a;
  }

  private match(): Node {
    let a = this.unary();
    while (this.isOp('=~') || this.isOp('!~')) {
      const t = this.next();
      a = { k: 'bin', op: t.text, a, b: this.unary(), pos: t.pos };
    }
    return a;
  }

  private unary(): Node {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      return this.nested(() => ({ k: 'unary', op: t.text, x: this.unary(), pos: t.pos }));
    }
    return this.postfix();
  }

  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp('.') || this.isOp('?.')) {
        const dot = this.next();
        const t = this.next();
        if (t.kind !== 'name') throw yaqlError(this.src, `expected a name after '${dot.text}' at column ${t.pos + 1}, found ${describe(t)}`, t.text || 'end');
        if (this.isOp('(')) {
          if (dot.text === '?.') throw yaqlError(this.src, `'?.' before a method call is not supported (column ${dot.pos + 1})`, '?.');
          if (!this.callables.methods.has(t.text))
            throw yaqlError(this.src, `unknown or unsupported method '.${t.text}()' (column ${t.pos + 1})`, `.${t.text}()`);
          n = this.callArgs(t.text, n, t.pos);
        } else n = { k: 'member', obj: n, name: t.text, safe: dot.text === '?.', pos: t.pos };
      } else if (this.isOp('[')) {
        const t = this.next();
        const index = this.expr();
        this.expect(']');
        n = { k: 'index', obj: n, index, pos: t.pos };
      } else return n;
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { k: 'lit', v: t.value, pos: t.pos };
      case 'str':
        return { k: 'lit', v: t.value, pos: t.pos };
      case 'root':
        return { k: 'root', pos: t.pos };
      case 'var':
        throw yaqlError(this.src, `YAQL variables other than $ ('${t.text}') are not supported (column ${t.pos + 1}); use $ or ctx(name)`, t.text);
      case 'name': {
        if (t.text === 'true' || t.text === 'false') return { k: 'lit', v: t.text === 'true', pos: t.pos };
        if (t.text === 'null') return { k: 'lit', v: null, pos: t.pos };
        if (RESERVED.has(t.text)) throw this.unexpected(t);
        if (this.isOp('(')) {
          if (!this.callables.functions.has(t.text))
            throw yaqlError(this.src, `unknown or unsupported function '${t.text}()' (column ${t.pos + 1})`, `${t.text}()`);
          return this.callArgs(t.text, null, t.pos);
        }
        // A keyword string: `ctx(devices)` names the variable 'devices'.
        return { k: 'lit', v: t.text, pos: t.pos };
      }
      case 'op':
        if (t.text === '(') {
          const n = this.expr();
          this.expect(')');
          return n;
        }
        if (t.text === '[') return this.nested(() => this.list(t.pos));
        if (t.text === '{') return this.nested(() => this.dict(t.pos));
        return this.unexpected(t);
      default:
        return this.unexpected(t);
    }
  }

  private callArgs(name: string, recv: Node | null, pos: number): Node {
    this.expect('(');
    const args: Node[] = [];
    const kwargs: Array<[string, Node]> = [];
    this.nested(() => {
      while (!this.isOp(')')) {
        const t = this.peek();
        const after = this.toks[this.i + 1]!;
        if (t.kind === 'name' && after.kind === 'op' && after.text === '=>') {
          this.i += 2;
          kwargs.push([t.text, this.expr()]);
        } else {
          if (kwargs.length) throw yaqlError(this.src, `a positional argument follows a named one in ${name}() (column ${t.pos + 1})`, `${name}()`);
          args.push(this.expr());
        }
        if (!this.isOp(',')) break;
        this.next();
      }
      this.expect(')');
    });
    return { k: 'call', name, recv, args, kwargs, pos };
  }

  private list(pos: number): Node {
    const items: Node[] = [];
    while (!this.isOp(']')) {
      items.push(this.expr());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect(']');
    return { k: 'list', items, pos };
  }

  private dict(pos: number): Node {
    const entries: Array<[Node, Node]> = [];
    while (!this.isOp('}')) {
      const key = this.expr();
      this.expect('=>');
      entries.push([key, this.expr()]);
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect('}');
    return { k: 'dict', entries, pos };
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of expression';
  if (t.kind === 'str') return `the string ${JSON.stringify(t.text)}`;
  return `'${t.text}'`;
}
