/**
 * The shell commands a Markdown page shows: every ```sh block, split into commands. A heredoc
 * (`cat > f <<'EOF' ... EOF`) and a line ending in `\` stay one command; comment-only lines are
 * dropped, and a trailing `# comment` stays with its command (bash ignores it).
 */
import { readFileSync } from 'node:fs';

export interface ShellCommand {
  /** The command as written (heredoc lines included), without a trailing comment on one-liners. */
  text: string;
  /** `file:line` where it starts. */
  where: string;
  /** The nearest `##` heading above it. */
  section: string;
  /** Index of its ```sh block in the file (0-based). */
  block: number;
}

const FENCE_OPEN = /^```(sh|bash|shell)\s*$/;

/** A one-line command without its trailing comment; quotes are respected, so `'#'` stays. */
export function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

export function shellCommands(file: string): ShellCommand[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: ShellCommand[] = [];
  let section = '';
  let block = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^##\s/.test(line)) section = line.replace(/^#+\s*/, '');
    if (!FENCE_OPEN.test(line)) {
      if (/^```/.test(line)) {
        // skip other fenced blocks whole, so a '## ' inside one is not a heading
        for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++);
      }
      continue;
    }
    block++;
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) {
      const start = i;
      let text = withoutComment(lines[i] ?? '');
      if (text.trim() === '') continue;
      const heredoc = /<<-?\s*['"]?(\w+)['"]?/.exec(text);
      if (heredoc) {
        const end = heredoc[1];
        const body: string[] = [];
        for (i++; i < lines.length && lines[i] !== end; i++) body.push(lines[i] ?? '');
        text = [text, ...body, end].join('\n');
      } else {
        while (text.endsWith('\\') && i + 1 < lines.length) text = `${text}\n${withoutComment(lines[++i] ?? '')}`;
      }
      out.push({ text, where: `${file}:${start + 1}`, section, block });
    }
  }
  return out;
}
