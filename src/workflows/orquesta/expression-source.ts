/**
 * How an Orquesta workflow's expression text reaches the renderer (src/core/template.ts).
 * `<% ... %>` is YAQL in Orquesta, so when a workflow loads each one is rewritten into a call
 * of the YAQL evaluator that the workflow's context lends: `{{ __yaql("...") }}` when the
 * whole string is the expression (its value keeps its type), `{{ __yaql_text("...") }}` when
 * it sits inside longer text. The shell and URL encoders (shell-command.ts, url-template.ts)
 * then treat it as any other expression. `{{ }}` stays Jinja; only `st2kv(` is renamed there
 * (`st2kv` is also the datastore's dotted form, `st2kv.system.x`).
 */

export const YAQL_VALUE = '__yaql';
export const YAQL_TEXT = '__yaql_text';
export const JINJA_ST2KV = '__st2kv';

const ANGLE = /<%([\s\S]*?)%>/g;
const WHOLE = /^\s*<%([\s\S]*?)%>\s*$/;
// The JSON literal of the expression, with the characters delimiters are made of escaped.
const CALL = new RegExp(`(${YAQL_VALUE}|${YAQL_TEXT})\\("((?:[^"\\\\]|\\\\.)*)"\\)`, 'g');

function literal(body: string): string {
  return JSON.stringify(body).replace(/[{}%<>#]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Rewrite a workflow string as described above; text without expressions is returned unchanged. */
export function rewriteExpressions(source: string): string {
  if (!source.includes('<%') && !source.includes('st2kv')) return source;
  const whole = WHOLE.exec(source);
  if (whole && !whole[1]!.includes('<%')) return `{{ ${YAQL_VALUE}(${literal(whole[1]!.trim())}) }}`;
  // split() with a capture: text, expression, text, expression, ..., text
  return source
    .split(ANGLE)
    .map((part, i) => (i % 2 === 0 ? renameJinjaSt2kv(part) : `{{ ${YAQL_TEXT}(${literal(part.trim())}) }}`))
    .join('');
}

/** The YAQL expressions of a rewritten string, as written. */
export function yaqlExpressionsIn(rewritten: string): string[] {
  return [...rewritten.matchAll(CALL)].map((m) => JSON.parse(`"${m[2]!}"`) as string);
}

/** A rewritten string as the operator wrote it, for messages. */
export function writtenForm(rewritten: string): string {
  if (!rewritten.includes(YAQL_VALUE)) return rewritten;
  return rewritten.replace(new RegExp(`\\{\\{ ${CALL.source} \\}\\}`, 'g'), (_all, _fn: string, body: string) => `<% ${JSON.parse(`"${body}"`) as string} %>`);
}

/** `st2kv(` inside `{{ }}` and `{% %}`, outside string literals, becomes the Jinja datastore function. */
function renameJinjaSt2kv(text: string): string {
  if (!text.includes('st2kv')) return text;
  return text.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, (code) => {
    let out = '';
    let quote: string | null = null;
    for (let i = 0; i < code.length; i++) {
      const c = code[i]!;
      if (quote) {
        out += c;
        if (c === '\\' && i + 1 < code.length) out += code[++i];
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") {
        quote = c;
        out += c;
      } else if (c === 's' && /^st2kv\s*\(/.test(code.slice(i, i + 32)) && !/[\w.]/.test(code[i - 1] ?? '')) {
        out += JINJA_ST2KV;
        i += 'st2kv'.length - 1;
      } else out += c;
    }
    return out;
  });
}
