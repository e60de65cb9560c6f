/**
 * What a terminal would show, from the bytes a device sends to a pty: CRLF to LF, ANSI escape
 * sequences (colours, bracketed paste, cursor moves) removed, backspaces applied.
 */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78DEHMc]/g;

export function cleanTerminalText(raw: string): string {
  let s = raw.replace(ESCAPES, '').replace(/\r+\n/g, '\n').replace(/\r/g, '');
  if (s.includes('\b')) {
    const out: string[] = [];
    for (const ch of s) {
      if (ch === '\b') out.pop();
      else out.push(ch);
    }
    s = out.join('');
  }
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

export function lastLine(text: string): string {
  const i = text.lastIndexOf('\n');
  return i < 0 ? text : text.slice(i + 1);
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
