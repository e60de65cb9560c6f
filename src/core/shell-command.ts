import { NrxError, type ErrorLocation } from './errors.js';

/**
 * Template values in shell command lines (`cmd` of core.local-style actions).
 *
 * Quoting a value for the place it sits cannot know every shell context (backticks inside
 * double quotes, heredoc bodies, nested substitutions). So a value is never spliced into
 * the command: each `{{ expr }}` becomes a reference to a shell variable, and the values are
 * assigned to those variables at the top of the command, single-quoted, where the quoting
 * rule is the simple one. Expanding a variable never parses its value again, in any
 * nesting, so a value stays data:
 *
 *   cmd: echo BT1 `echo "{{ trigger.x }}"`         with x = `touch f` $(touch g)
 *   runs: NRX_V1='`touch f` $(touch g)'
 *         echo BT1 `echo "${NRX_V1}"`
 *
 * A reference is `"${NRX_Vn}"` where the expression stands as (part of) a word,
 * `${NRX_Vn}` inside double quotes and in the body of a heredoc with an unquoted delimiter, and
 * `'"${NRX_Vn}"'` inside single quotes (the quote closes, the variable follows in double quotes,
 * the quote reopens: still one word, and the value is never parsed).
 * Places where a variable cannot help are refused with a hint (see REFUSALS): inside $'...'
 * quotes, a quoted heredoc, ${...}, arithmetic, after a backslash, as the command name, and
 * anywhere in the arguments or heredoc of a program that runs them as code (sh -c, eval,
 * ssh, python, awk, sed...). The same check runs when rules, workflows and actions load.
 */

/** Parameters holding a shell command line. */
export const SHELL_PARAMS: ReadonlySet<string> = new Set(['cmd']);

/** Variables netreflex assigns the template values to (NRX_V1, NRX_V2, ...). */
export const SHELL_VALUE_PREFIX = 'NRX_V';

/** Quote a value as one POSIX shell word. */
export function shellQuote(v: unknown): string {
  return `'${valueText(v).replace(/'/g, `'\\''`)}'`;
}

/**
 * Programs whose arguments (or heredoc) are code or a command line, so a value there would
 * run: shells, eval and friends, precommands that take a command (env, sudo, timeout...),
 * remote shells, script interpreters, and tools with a command language.
 */
const CODE_RUNNERS = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'ash',
  'yash',
  'busybox',
  'fish',
  'csh',
  'tcsh',
  'eval',
  'exec',
  'command',
  'builtin',
  'source',
  '.',
  'trap',
  'let',
  'alias',
  'declare',
  'typeset',
  '[[',
  'env',
  'sudo',
  'su',
  'doas',
  'runuser',
  'setsid',
  'nohup',
  'nice',
  'ionice',
  'chroot',
  'timeout',
  'time',
  'watch',
  'xargs',
  'parallel',
  'flock',
  'strace',
  'ltrace',
  'unshare',
  'nsenter',
  'ip',
  'find',
  'ssh',
  'rsh',
  'telnet',
  'script',
  'expect',
  'tclsh',
  'python',
  'perl',
  'ruby',
  'node',
  'nodejs',
  'php',
  'lua',
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'sed',
  'jq',
  'bc',
  'dc',
  'm4',
]);
const VERSIONED_RUNNER = /^(python|perl|ruby|php|lua|tclsh)[0-9.]*$/;
/** The command name of a word with expansions: what it runs is known only at run time. */
const COMPUTED = '\u0000computed';

function runsCode(name: string): boolean {
  return CODE_RUNNERS.has(name) || VERSIONED_RUNNER.test(name);
}

const RESERVED_KEEP_COMMAND = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{']);
const RESERVED_END = new Set(['fi', 'done', 'esac', '}']);

type Kind = 'word' | 'dquote' | 'squote';
type Refusal = 'single' | 'heredoc-quoted' | 'param' | 'arith' | 'backslash' | 'command' | 'computed' | 'runner' | 'delimiter';

const HINTS: Record<Refusal, (what: string) => string> = {
  single: () =>
    "it sits inside $'...' (ANSI-C quotes), where the shell cannot expand a value and reads backslashes; write it outside the quotes or inside plain quotes ('peer {{ x }} down')",
  'heredoc-quoted': () => "it sits in a heredoc with a quoted delimiter (<<'EOF'), which does not expand; use an unquoted delimiter (<<EOF)",
  param: () => 'it sits inside ${...}; write it as a word of its own or inside double quotes',
  arith: () =>
    'the shell evaluates $((...)), ((...)) and [[...]] as expressions, which can run commands; do the arithmetic in the template ({{ x | int + 1 }}) and use the result as an argument',
  backslash: () => 'it follows a backslash; remove the backslash (the value is passed as data, nothing needs escaping)',
  command: () => 'it would choose the command to run; write the command literally and pass the value as an argument',
  computed: () =>
    'the command it is given to is computed when the command runs ($VAR, $(...)), so netreflex cannot tell whether it runs its arguments as code; write the program literally (/usr/local/bin/check {{ x }})',
  runner: (what) =>
    `it is in the arguments or input of '${what}', which runs them as code or as a command line, so the value would run; give the value to a pack action as a parameter (read it from $ST2_ACTION_<NAME> in the script) or call the program directly without ${what}`,
  delimiter: () => 'a template cannot be a heredoc delimiter',
};

type Placement = { kind: Kind } | { refused: Refusal; what: string };
const RANK: Record<Refusal, number> = { single: 0, 'heredoc-quoted': 0, param: 0, arith: 0, backslash: 0, delimiter: 0, command: 1, computed: 1, runner: 2 };

interface Segment {
  /** Verbatim text, a Jinja tag or comment, or an expression (without delimiters). */
  text: string;
  expr?: string;
  /** Whitespace control markers kept on the rewritten expression. */
  trim?: [string, string];
}

const OPEN = /\{\{|<%|\{%|\{#/g;
const CLOSE: Record<string, string> = { '{{': '}}', '<%': '%>', '{%': '%}', '{#': '#}' };
const HOLE_BASE = 0xe000;
const HOLE_LAST = 0xf8ff;

function split(source: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(source); m; m = OPEN.exec(source)) {
    const open = m[0];
    const end = source.indexOf(CLOSE[open]!, m.index + 2);
    if (end === -1) break; // unterminated: left to the template compiler to report
    if (m.index > at) out.push({ text: source.slice(at, m.index) });
    const whole = source.slice(m.index, end + 2);
    if (open === '{{' || open === '<%') {
      let inner = source.slice(m.index + 2, end);
      const lead = inner.startsWith('-') ? '-' : '';
      const tail = inner.endsWith('-') ? '-' : '';
      inner = inner.slice(lead.length, inner.length - tail.length);
      out.push({ text: whole, expr: inner.trim(), trim: [lead, tail] });
    } else out.push({ text: whole, expr: undefined });
    at = end + 2;
    OPEN.lastIndex = at;
  }
  if (at < source.length) out.push({ text: source.slice(at) });
  return out;
}

export interface ShellTemplateProblem {
  expr: string;
  message: string;
}

/** Where each expression of a shell command template sits; problems for refused ones. */
export function analyseShellTemplate(source: string): { segments: Segment[]; placements: Placement[]; problems: ShellTemplateProblem[] } {
  const segments = split(source);
  let text = '';
  let holes = 0;
  for (const s of segments) {
    if (s.expr !== undefined) text += String.fromCharCode(HOLE_BASE + holes++);
    else if (!s.text.startsWith('{%') && !s.text.startsWith('{#')) text += s.text;
  }
  const placements: Placement[] = [];
  const problems: ShellTemplateProblem[] = [];
  if (holes === 0) return { segments, placements, problems };
  if (holes > HOLE_LAST - HOLE_BASE || segments.some((s) => s.expr === undefined && [...s.text].some(isHole))) {
    problems.push({ expr: '', message: 'the command has too many template expressions or contains private-use characters; it cannot be checked' });
    return { segments, placements, problems };
  }
  new Scanner(text, placements).commands(null);
  const exprs = segments.filter((s) => s.expr !== undefined).map((s) => s.expr!);
  exprs.forEach((expr, i) => {
    const p = placements[i] ?? { kind: 'word' as Kind };
    placements[i] = p;
    if ('refused' in p) problems.push({ expr, message: `template {{ ${expr} }} is refused: ${HINTS[p.refused](p.what)}` });
  });
  return { segments, placements, problems };
}

function isHole(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return code >= HOLE_BASE && code <= HOLE_LAST;
}

/** The problems of a shell command template, as messages; empty when it is safe to render. */
export function shellTemplateProblems(source: string): string[] {
  if (!/\{\{|<%/.test(source)) return [];
  return analyseShellTemplate(source).problems.map((p) => p.message);
}

/**
 * Render a shell command template. `render` renders a Jinja source in the caller's context
 * with one extra function, `__nrx_shell_ref(value, kind)`; it must hand that function plain
 * values (lazy datastore values resolved).
 */
export function renderShellCommand(
  source: string,
  where: ErrorLocation,
  render: (jinja: string, ref: (value: unknown, kind: string) => string) => string,
): string {
  const { segments, placements, problems } = analyseShellTemplate(source);
  if (problems.length) {
    throw new NrxError('NRX_ERR_TEMPLATE', `shell command ${JSON.stringify(source)}: ${problems.map((p) => p.message).join('; ')}`, { location: where });
  }
  let jinja = '';
  let hole = 0;
  for (const s of segments) {
    if (s.expr === undefined) {
      jinja += s.text;
      continue;
    }
    const kind = (placements[hole++] as { kind: Kind }).kind;
    // A shell_quote the operator added is redundant now and would show its quotes.
    const expr = s.expr.replace(/\|\s*shell_quote\s*$/, '');
    jinja += `{{${s.trim![0]} __nrx_shell_ref((${expr}), '${kind}') ${s.trim![1]}}}`;
  }
  const values: string[] = [];
  const body = render(jinja, (value, kind) => {
    const text = valueText(value);
    if (text.includes('\0'))
      throw new NrxError('NRX_ERR_TEMPLATE', 'a template value contains a NUL byte, which a shell command cannot carry', { location: where });
    values.push(text);
    const name = `${SHELL_VALUE_PREFIX}${values.length}`;
    if (kind === 'dquote') return `\${${name}}`;
    return kind === 'squote' ? `'"\${${name}}"'` : `"\${${name}}"`;
  });
  if (!values.length) return body;
  return `${values.map((v, i) => `${SHELL_VALUE_PREFIX}${i + 1}=${shellQuote(v)}`).join('\n')}\n${body}`;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

interface Word {
  text: string;
  /** Literal text only (no expansion, no quotes): reserved words and command names. */
  plain: boolean;
  /** Holds an expansion ($VAR, $(...), backticks, an expression): its text is known only at run time. */
  dynamic: boolean;
  holes: number[];
}

interface Heredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  command: CommandState;
}

interface CommandState {
  name: string | null;
}

/**
 * A scanner over the command with expressions as single private-use characters. It follows
 * POSIX sh (and bash's extras that change quoting) far enough to tell, for each expression,
 * the quoting context and the command it belongs to.
 */
class Scanner {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly placements: Placement[],
  ) {}

  private peek(n = 0): string | undefined {
    return this.s[this.pos + n];
  }

  private place(hole: number, p: Placement): void {
    const old = this.placements[hole];
    // a refusal stays; one about the command (sh -c '...') says more than one about quoting
    if (old && 'refused' in old && !('refused' in p && RANK[p.refused] > RANK[old.refused])) return;
    this.placements[hole] = p;
  }

  private holeIndex(c: string): number {
    return c.charCodeAt(0) - HOLE_BASE;
  }

  /** A command list up to `end` (')' of $( ) or the end of the text). Returns every expression seen. */
  commands(end: ')' | null): number[] {
    const all: number[] = [];
    let cmd: CommandState = { name: null };
    let atCommand = true;
    let redirect: 'file' | 'heredoc' | 'heredoc-strip' | null = null;
    let word: Word | null = null;
    let parens = 0;
    let casePattern = false;
    let caseDepth = 0;
    const heredocs: Heredoc[] = [];

    const newCommand = (): void => {
      cmd = { name: null };
      atCommand = true;
    };
    const w = (): Word => (word ??= { text: '', plain: true, dynamic: false, holes: [] });
    const finishWord = (): void => {
      if (!word) return;
      const wd = word;
      word = null;
      all.push(...wd.holes);
      if (redirect === 'heredoc' || redirect === 'heredoc-strip') {
        for (const h of wd.holes) this.place(h, { refused: 'delimiter', what: '' });
        heredocs.push({ delimiter: wd.text, quoted: !wd.plain, stripTabs: redirect === 'heredoc-strip', command: cmd });
        redirect = null;
        return;
      }
      if (redirect === 'file') {
        redirect = null;
        this.runnerCheck(cmd, wd.holes);
        return;
      }
      if (casePattern) {
        if (wd.plain && wd.text === 'esac') {
          caseDepth--;
          casePattern = false;
          atCommand = false;
          cmd = { name: null };
        }
        return;
      }
      if (atCommand) {
        if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(wd.text)) return; // assignment: data
        if (wd.plain && RESERVED_KEEP_COMMAND.has(wd.text)) return;
        if (wd.plain && RESERVED_END.has(wd.text)) {
          if (wd.text === 'esac') caseDepth--;
          atCommand = false;
          cmd = { name: null };
          return;
        }
        if (wd.plain && wd.text === 'time') return;
        atCommand = false;
        for (const h of wd.holes) this.place(h, { refused: 'command', what: '' });
        cmd.name = wd.dynamic ? COMPUTED : (wd.text.split('/').pop() ?? wd.text);
        return;
      }
      if (cmd.name === 'case' && wd.plain && wd.text === 'in') {
        caseDepth++;
        casePattern = true;
        return;
      }
      this.runnerCheck(cmd, wd.holes);
    };

    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (isHole(c)) {
        const h = this.holeIndex(c);
        this.place(h, { kind: 'word' });
        w().holes.push(h);
        w().text += c;
        w().plain = false;
        w().dynamic = true;
        this.pos++;
        continue;
      }
      if (c === ' ' || c === '\t') {
        finishWord();
        this.pos++;
        continue;
      }
      if (c === '\n') {
        finishWord();
        this.pos++;
        if (!casePattern) newCommand();
        for (const h of heredocs.splice(0)) all.push(...this.heredocBody(h));
        continue;
      }
      if (c === '#' && !word) {
        while (this.pos < this.s.length && this.s[this.pos] !== '\n') {
          const ch = this.s[this.pos]!;
          if (isHole(ch)) this.place(this.holeIndex(ch), { kind: 'word' }); // in a comment: inert text
          this.pos++;
        }
        continue;
      }
      if (c === ';' || c === '&' || c === '|') {
        finishWord();
        const two = this.s.slice(this.pos, this.pos + 2);
        if (c === ';' && two === ';;') {
          this.pos += 2;
          if (this.peek() === '&') this.pos++;
          casePattern = caseDepth > 0;
          continue;
        }
        if (c === ';' && two === ';&') {
          this.pos += 2;
          casePattern = caseDepth > 0;
          continue;
        }
        this.pos += two === '&&' || two === '||' || two === '|&' ? 2 : 1;
        if (c === '&' && this.peek() === '>') {
          redirect = 'file'; // bash &> and &>>
          this.pos += this.peek(1) === '>' ? 2 : 1;
          continue;
        }
        newCommand();
        continue;
      }
      if (c === '(') {
        // a subshell, a function definition's (), or the optional ( before a case pattern
        finishWord();
        this.pos++;
        if (this.peek() === '(' && atCommand) {
          this.pos++;
          all.push(...this.arithmetic(2));
          continue;
        }
        if (casePattern) continue;
        parens++;
        newCommand();
        continue;
      }
      if (c === ')') {
        finishWord();
        this.pos++;
        if (casePattern) {
          casePattern = false;
          newCommand();
          continue;
        }
        if (parens > 0) {
          parens--;
          newCommand();
          continue;
        }
        if (end === ')') break;
        continue;
      }
      if (c === '<' || c === '>') {
        // a word of digits right before is a file descriptor number, not a word
        const before = word as Word | null;
        if (before && before.plain && /^\d+$/.test(before.text)) word = null;
        finishWord();
        const three = this.s.slice(this.pos, this.pos + 3);
        if (this.peek(1) === '(') {
          this.pos += 2;
          const inner = this.commands(')');
          w().holes.push(...inner);
          w().plain = false;
          w().dynamic = true;
          continue;
        }
        if (three === '<<<') {
          this.pos += 3;
          redirect = 'file';
          continue;
        }
        if (three === '<<-') {
          this.pos += 3;
          redirect = 'heredoc-strip';
          continue;
        }
        if (this.s.slice(this.pos, this.pos + 2) === '<<') {
          this.pos += 2;
          redirect = 'heredoc';
          continue;
        }
        this.pos++;
        while (this.peek() === '>' || this.peek() === '&' || this.peek() === '|' || (c === '<' && this.peek() === '>')) this.pos++;
        redirect = 'file';
        continue;
      }
      // word characters
      const wd = w();
      if (c === '\\') {
        const next = this.peek(1);
        if (next === '\n') {
          this.pos += 2;
          if (!wd.text && !wd.holes.length) word = null;
          continue;
        }
        if (next !== undefined && isHole(next)) {
          const h = this.holeIndex(next);
          this.place(h, { refused: 'backslash', what: '' });
          wd.holes.push(h);
        }
        wd.text += next ?? '';
        wd.plain = false;
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        wd.plain = false;
        this.pos++;
        while (this.pos < this.s.length && this.s[this.pos] !== "'") {
          const ch = this.s[this.pos]!;
          if (isHole(ch)) {
            // the quote is closed around the variable and reopened: 'peer '"${NRX_V1}"' down' is one word
            const h = this.holeIndex(ch);
            this.place(h, { kind: 'squote' });
            wd.holes.push(h);
          }
          wd.text += ch;
          this.pos++;
        }
        this.pos++;
        continue;
      }
      if (c === '"') {
        wd.plain = false;
        this.pos++;
        const r = this.expansions('"');
        wd.text += r.text;
        wd.holes.push(...r.holes);
        if (r.dynamic) wd.dynamic = true;
        continue;
      }
      if (c === '$' || c === '`') {
        wd.plain = false;
        wd.dynamic = true;
        const r = this.expansion(false);
        if (r) {
          wd.holes.push(...r.holes);
          wd.text += r.text;
          continue;
        }
      }
      wd.text += c;
      this.pos++;
    }
    finishWord();
    for (const h of heredocs.splice(0)) all.push(...this.heredocBody(h));
    return all;
  }

  /** Arguments of a code-running program: every expression in them (nested too) is refused. */
  private runnerCheck(cmd: CommandState, holes: number[]): void {
    const name = cmd.name;
    if (name === null || !holes.length) return;
    if (name === COMPUTED) {
      for (const h of holes) this.place(h, { refused: 'computed', what: '' });
      return;
    }
    if (!runsCode(name)) return;
    for (const h of holes) this.place(h, name === '[[' ? { refused: 'arith', what: '' } : { refused: 'runner', what: name });
  }

  /**
   * `$...` or a backtick at the current position. Returns null when `$` is a plain character.
   * `inDouble`: inside "..." (backslash before " is removed in backticks there).
   */
  private expansion(inDouble: boolean): { text: string; holes: number[] } | null {
    const c = this.s[this.pos];
    if (c === '`') {
      this.pos++;
      let inner = '';
      while (this.pos < this.s.length && this.s[this.pos] !== '`') {
        const ch = this.s[this.pos]!;
        if (ch === '\\') {
          const next = this.s[this.pos + 1] ?? '';
          // inside backticks a backslash quotes only $ ` \ (and " inside double quotes)
          if (next === '$' || next === '`' || next === '\\' || (inDouble && next === '"')) inner += next;
          else inner += ch + next;
          this.pos += 2;
          continue;
        }
        inner += ch;
        this.pos++;
      }
      this.pos++;
      const holes = new Scanner(inner, this.placements).commands(null);
      return { text: '`', holes };
    }
    if (c !== '$') return null;
    const next = this.s[this.pos + 1];
    if (next === '(' && this.s[this.pos + 2] === '(') {
      this.pos += 3;
      return { text: '$', holes: this.arithmetic(2) };
    }
    if (next === '(') {
      this.pos += 2;
      return { text: '$', holes: this.commands(')') };
    }
    if (next === '{') {
      this.pos += 2;
      const holes: number[] = [];
      let depth = 1;
      while (this.pos < this.s.length && depth > 0) {
        const ch = this.s[this.pos]!;
        if (ch === '\\') {
          this.pos += 2;
          continue;
        }
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        else if (isHole(ch)) {
          const h = this.holeIndex(ch);
          this.place(h, { refused: 'param', what: '' });
          holes.push(h);
        }
        this.pos++;
      }
      return { text: '$', holes };
    }
    if (next === "'") {
      // bash $'...' (ANSI-C quoting): no expansion inside, like single quotes
      this.pos += 2;
      const holes: number[] = [];
      while (this.pos < this.s.length && this.s[this.pos] !== "'") {
        const ch = this.s[this.pos]!;
        if (ch === '\\') {
          this.pos += 2;
          continue;
        }
        if (isHole(ch)) {
          const h = this.holeIndex(ch);
          this.place(h, { refused: 'single', what: '' });
          holes.push(h);
        }
        this.pos++;
      }
      this.pos++;
      return { text: '$', holes };
    }
    return null;
  }

  /** After `$((` or `((`: to the matching `))`; every expression inside is refused. */
  private arithmetic(open: number): number[] {
    const holes: number[] = [];
    let depth = open;
    while (this.pos < this.s.length && depth > 0) {
      const ch = this.s[this.pos]!;
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (isHole(ch)) {
        const h = this.holeIndex(ch);
        this.place(h, { refused: 'arith', what: '' });
        holes.push(h);
      }
      this.pos++;
    }
    return holes;
  }

  /**
   * Inside double quotes (`end` '"') or a heredoc body (`end` null): expressions become
   * `${NRX_Vn}`, and $( ), backticks, ${ } and $(( )) nest.
   */
  expansions(end: '"' | null): { text: string; holes: number[]; dynamic: boolean } {
    const holes: number[] = [];
    let text = '';
    let dynamic = false;
    while (this.pos < this.s.length) {
      const ch = this.s[this.pos]!;
      if (end !== null && ch === end) {
        this.pos++;
        break;
      }
      if (isHole(ch)) {
        const h = this.holeIndex(ch);
        this.place(h, { kind: 'dquote' });
        holes.push(h);
        dynamic = true;
        text += ch;
        this.pos++;
        continue;
      }
      if (ch === '\\') {
        const next = this.s[this.pos + 1];
        if (next !== undefined && isHole(next)) {
          const h = this.holeIndex(next);
          this.place(h, { refused: 'backslash', what: '' });
          holes.push(h);
        }
        text += next ?? '';
        this.pos += 2;
        continue;
      }
      if (ch === '$' || ch === '`') {
        dynamic = true;
        const r = this.expansion(end === '"');
        if (r) {
          holes.push(...r.holes);
          text += r.text;
          continue;
        }
      }
      text += ch;
      this.pos++;
    }
    return { text, holes, dynamic };
  }

  /** The body of a heredoc: the lines after the current one, up to the delimiter line. */
  private heredocBody(h: Heredoc): number[] {
    const lines: string[] = [];
    while (this.pos < this.s.length) {
      const nl = this.s.indexOf('\n', this.pos);
      const line = this.s.slice(this.pos, nl === -1 ? this.s.length : nl);
      this.pos = nl === -1 ? this.s.length : nl + 1;
      if ((h.stripTabs ? line.replace(/^\t+/, '') : line) === h.delimiter) break;
      lines.push(line);
    }
    const body = lines.join('\n');
    const holes = [...body].filter(isHole).map((c) => this.holeIndex(c));
    const name = h.command.name;
    if (name !== null && (name === COMPUTED || runsCode(name))) {
      for (const x of holes) this.place(x, name === COMPUTED ? { refused: 'computed', what: '' } : { refused: 'runner', what: name });
      return holes;
    }
    if (h.quoted) {
      for (const x of holes) this.place(x, { refused: 'heredoc-quoted', what: '' });
      return holes;
    }
    new Scanner(body, this.placements).expansions(null);
    return holes;
  }
}

/** Every refused shell template under `value` (fields named `cmd` at any depth), with its path, for load-time checks. */
export function shellTemplateProblemsIn(value: unknown, path: Array<string | number> = []): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  const walk = (v: unknown, at: Array<string | number>): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (SHELL_PARAMS.has(k) && typeof x === 'string') for (const message of shellTemplateProblems(x)) out.push({ path: [...at, k], message });
        else walk(x, [...at, k]);
      }
    }
  };
  walk(value, path);
  return out;
}
