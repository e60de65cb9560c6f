/**
 * Template values in URLs (`url` of core.http and any parameter named `url`).
 *
 * A value from an event spliced into `http://nb/api/devices/{{ trigger.device }}?q={{ trigger.msg }}`
 * could add path segments (`../admin`), query parameters (`x&admin=1`) or cut the URL (`#`).
 * So each expression is percent-encoded for the part of the URL it sits in, read from the
 * operator's literal text: in the query and after `#`, a value is one component (every
 * character but A-Z a-z 0-9 - . _ ~ encoded); in the path each `/`-separated segment of a value
 * is encoded that way and a `.` or `..` segment is refused, so a value can name sub-paths but
 * never climb, add a query or cut the URL; in the host it must be a host name, address or host:port. A leading
 * expression before any literal `/` is the URL's base (`{{ st2kv.system.netbox }}/api/...`)
 * and is kept as it is, as is a template that is a single expression (the whole URL is a value).
 * An expression that ends in `| urlencode` (already encoded) or `| safe` (the author vouches
 * for it) is left alone.
 */

/** Parameters holding a URL. */
export const URL_PARAMS: ReadonlySet<string> = new Set(['url']);

/** The context function the rewritten template calls: (value, place) -> text for that place. */
export const URL_ENCODER = '__nrx_url_value';

export type UrlPlace = 'base' | 'host' | 'path' | 'query' | 'fragment';

type State = 'start' | 'afterBase' | UrlPlace;

/** Percent-encode everything outside RFC 3986's unreserved set (encodeURIComponent leaves !'()* alone). */
export function encodeUrlComponent(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function preview(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

const HOST_VALUE = /^[A-Za-z0-9._~\-:[\]%]*$/;

/** The text a value becomes in one part of a URL; throws for a value that has no safe form there. */
export function encodeUrlValue(v: unknown, place: UrlPlace): string {
  const s = text(v);
  switch (place) {
    case 'base':
      return s;
    case 'host':
      if (!HOST_VALUE.test(s)) throw new Error(`a value in the host part of a URL must be a host name, address or host:port, got ${preview(s)}`);
      return s;
    case 'path':
      // `/` stays a separator (StackStorm content builds paths from vars: `{{ api }}/{{ paths.v1 }}`),
      // every segment is encoded, and no segment may climb.
      return s
        .split('/')
        .map((seg) => {
          if (seg === '.' || seg === '..')
            throw new Error(`a value in a URL path cannot hold the segment ${JSON.stringify(seg)}: it would climb the path (value ${preview(s)})`);
          return encodeUrlComponent(seg);
        })
        .join('/');
    default:
      return encodeUrlComponent(s);
  }
}

const OPEN = /\{\{|\{%|\{#|<%/g;
const CLOSE: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}', '<%': '%>' };
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const ONE_EXPRESSION = /^\s*(?:\{\{[\s\S]*?\}\}|<%[\s\S]*?%>)\s*$/;
const LEFT_ALONE = /\|\s*(?:urlencode|safe)\s*$/;

/** Move the state over operator-written text. */
function advance(state: State, literal: string): State {
  let s = state;
  let rest = literal;
  if (s === 'start') {
    const m = SCHEME.exec(rest);
    if (m) {
      s = 'host';
      rest = rest.slice(m[0].length);
    }
  }
  for (const c of rest) {
    if (c === '#') return 'fragment';
    if (c === '?' && s !== 'query' && s !== 'fragment') s = 'query';
    else if (c === '/' && (s === 'start' || s === 'afterBase' || s === 'host')) s = 'path';
  }
  return s;
}

/** Rewrite a URL template so every expression goes through the encoder for its place. */
export function urlSafeSource(source: string): string {
  if (ONE_EXPRESSION.test(source) && !/\}\}[\s\S]*\{\{|%>[\s\S]*<%/.test(source)) return source;
  let out = '';
  let state: State = 'start';
  let i = 0;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(source); m; m = OPEN.exec(source)) {
    const literal = source.slice(i, m.index);
    out += literal;
    state = advance(state, literal);
    const close = CLOSE[m[0]]!;
    const end = source.indexOf(close, m.index + 2);
    if (end === -1) return out + source.slice(m.index); // the compiler reports the unclosed tag
    const inner = source.slice(m.index + 2, end);
    i = end + 2;
    OPEN.lastIndex = i;
    if (m[0] === '{%' || m[0] === '{#') {
      out += source.slice(m.index, i);
      continue;
    }
    const trim = /^(-?)([\s\S]*?)(-?)$/.exec(inner)!;
    const expr = trim[2]!.trim();
    if (LEFT_ALONE.test(expr)) {
      out += `{{${trim[1]} ${expr} ${trim[3]}}}`;
      continue;
    }
    const place: UrlPlace = state === 'start' ? 'base' : state === 'afterBase' ? 'path' : state;
    out += `{{${trim[1]} ${URL_ENCODER}((${expr}), '${place}') ${trim[3]}}}`;
    if (state === 'start') state = 'afterBase';
  }
  return out + source.slice(i);
}
