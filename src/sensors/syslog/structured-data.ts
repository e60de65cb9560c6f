import { decodeError, type StructuredData } from './message.js';

/**
 * RFC 5424 STRUCTURED-DATA: one or more `[SD-ID name="value" ...]`. Values may contain `\"`, `\\`
 * and `\]`; any other backslash is kept as written (the RFC says so). Returns the data and the
 * index just after the last element.
 */
export function parseStructuredData(s: string, pos: number, source: string): { data: StructuredData; end: number } {
  const data: StructuredData = {};
  let i = pos;
  while (s.charCodeAt(i) === 91 /* [ */) {
    i++;
    const idStart = i;
    i = sdName(s, i);
    if (i === idStart) throw decodeError('structured data element has no SD-ID', i, source);
    const params: Record<string, string> = {};
    setOwn(data, s.slice(idStart, i), params);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 93 /* ] */) {
        i++;
        break;
      }
      if (c !== 32) throw decodeError(Number.isNaN(c) ? 'structured data element not closed' : `unexpected '${s[i]}' in structured data element`, i, source);
      i++;
      const nameStart = i;
      i = sdName(s, i);
      if (i === nameStart) throw decodeError('structured data parameter has no name', i, source);
      const name = s.slice(nameStart, i);
      if (s.charCodeAt(i) !== 61 /* = */ || s.charCodeAt(i + 1) !== 34 /* " */)
        throw decodeError(`structured data parameter '${name}' needs ="value"`, i, source);
      i += 2;
      let value = '';
      let chunk = i;
      for (;;) {
        const v = s.charCodeAt(i);
        if (Number.isNaN(v)) throw decodeError(`structured data value of '${name}' not closed`, i, source);
        if (v === 34) break;
        if (v === 92 /* \ */) {
          const next = s.charCodeAt(i + 1);
          if (next === 34 || next === 92 || next === 93) {
            value += s.slice(chunk, i);
            chunk = i + 1;
            i += 2;
            continue;
          }
        }
        i++;
      }
      value += s.slice(chunk, i);
      i++;
      setOwn(params, name, value);
    }
  }
  return { data, end: i };
}

/** SD-NAME: 1-32 printable US-ASCII characters except '=', space, ']' and '"'. */
function sdName(s: string, pos: number): number {
  let i = pos;
  while (i - pos < 32) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126 || c === 61 || c === 93 || c === 34) break;
    i++;
  }
  return i;
}

/** Names come from the network: `__proto__` must be a plain key, not a prototype change. */
function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
