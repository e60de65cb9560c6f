/**
 * Where JSON text first goes wrong, as an offset: the engine's own parse error names no
 * position on every Node version, and its wording must not reach an operator. Only called
 * after JSON.parse has refused the text; an explicit stack, so deep nesting cannot overflow.
 */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < s.length && ' \t\n\r'.includes(s[i]!)) i++;
  };
  const literal = (): boolean => {
    if (s[i] === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x20) return false;
        if (s[i] === '\\') {
          i++;
          if (s[i] === 'u') {
            if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) return false;
            i += 4;
          } else if (!'"\\/bfnrt'.includes(s[i] ?? 'x')) return false;
        }
      }
      if (i >= s.length) return false;
      i++;
      return true;
    }
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(s.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  // What the parser expects next, innermost container last.
  const stack: Array<'[' | '{'> = [];
  for (;;) {
    ws();
    // A value.
    if (s[i] === '[' || s[i] === '{') {
      const open = s[i] as '[' | '{';
      i++;
      ws();
      if (s[i] === (open === '[' ? ']' : '}')) i++;
      else {
        stack.push(open);
        if (open === '{') {
          if (s[i] !== '"' || !literal()) return i;
          ws();
          if (s[i++] !== ':') return i - 1;
        }
        continue;
      }
    } else if (!literal()) return i;
    // After a value: close containers or move to the next item.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (!top) return i < s.length ? i : s.length;
      if (s[i] === (top === '[' ? ']' : '}')) {
        i++;
        stack.pop();
        continue;
      }
      if (s[i] !== ',') return i;
      i++;
      if (top === '{') {
        ws();
        if (s[i] !== '"' || !literal()) return i;
        ws();
        if (s[i++] !== ':') return i - 1;
      }
      break;
    }
  }
}
