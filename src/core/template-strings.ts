import nunjucks from './nunjucks.js';

/**
 * String literals in templates read as Jinja reads them (Python's rules), not as nunjucks
 * does: nunjucks drops the backslash of an escape it does not know, so `'\w+'` became `w+`
 * and every regex a StackStorm pack wrote in a template broke. Python keeps unknown escapes
 * as written (`'\w+'` stays `\w+`) and knows `\\ \' \" \a \b \f \n \r \t \v`, octal `\ooo`,
 * `\xhh`, `\uXXXX` and `\UXXXXXXXX`.
 */

const SIMPLE: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

const HEX_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** The text of a literal's body (between its quotes), escapes read as Python reads them. */
export function readEscapes(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[i + 1]!;
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4));
    if (oct) {
      out += String.fromCharCode(parseInt(oct[0], 8));
      i += oct[0].length;
      continue;
    }
    const digits = HEX_DIGITS[e];
    const hex = digits ? body.slice(i + 2, i + 2 + digits) : '';
    if (digits && new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) {
      const code = parseInt(hex, 16);
      out += code <= 0x10ffff ? String.fromCodePoint(code) : `\\${e}${hex}`;
      i += 1 + digits;
      continue;
    }
    // Unknown escape: kept as written, backslash and all.
    out += `\\${e}`;
    i++;
  }
  return out;
}

interface Tokenizer {
  forward(): void;
  current(): string;
  isFinished(): boolean;
  _parseString(delimiter: string): string;
}

let installed = false;

/** Read string literals with Python's escapes, in every nunjucks template of this process. */
export function installPythonStringEscapes(): void {
  if (installed) return;
  installed = true;
  const lexer = (nunjucks as unknown as { lexer: { lex(src: string, opts?: unknown): Tokenizer } }).lexer;
  const proto = Object.getPrototypeOf(lexer.lex('')) as Tokenizer;
  proto._parseString = function (this: Tokenizer, delimiter: string): string {
    this.forward();
    let body = '';
    while (!this.isFinished() && this.current() !== delimiter) {
      const c = this.current();
      body += c;
      this.forward();
      // An escaped quote does not end the literal.
      if (c === '\\' && !this.isFinished()) {
        body += this.current();
        this.forward();
      }
    }
    this.forward();
    return readEscapes(body);
  };
}
