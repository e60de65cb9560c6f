import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { NrxError } from './errors.js';

/** A parsed YAML document that can say on which line a field sits, for error messages. */
export interface YamlSource {
  file: string;
  doc: unknown;
  /** 1-based line of the node at `path` (e.g. ['chain', 2, 'ref']), or of its nearest ancestor. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

export function parseYaml(text: string, file: string): YamlSource {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file });
  } catch (e) {
    const err = e as { mark?: { line: number; column: number }; reason?: string; message: string };
    const line = err.mark ? err.mark.line + 1 : undefined;
    throw new NrxError('NRX_ERR_YAML_SYNTAX', `invalid YAML: ${err.reason ?? err.message.split('\n')[0]}${err.mark ? ` (column ${err.mark.column + 1})` : ''}`, {
      location: { file, ...(line !== undefined ? { line } : {}) },
      cause: e,
    });
  }
  const lines = text.split(/\r?\n/);
  return { file, doc, lineOf: (path) => locateLine(lines, path) };
}

export function loadYamlFile(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new NrxError('NRX_ERR_SPEC_INVALID', `cannot read file: ${(e as Error).message}`, { location: { file }, cause: e });
  }
  return parseYaml(text, file);
}

/** Build an NRX_ERR_SPEC_INVALID that names file, line and field for `path`. */
export function specError(src: Pick<YamlSource, 'file' | 'lineOf'>, path: ReadonlyArray<string | number>, message: string): NrxError {
  const line = src.lineOf(path);
  return new NrxError('NRX_ERR_SPEC_INVALID', message, {
    location: { file: src.file, ...(line !== undefined ? { line } : {}), ...(path.length ? { field: formatPath(path) } : {}) },
  });
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

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

/**
 * Find the line of a node in block-style YAML by walking indentation. Flow-style
 * ({a: 1}) children resolve to the line of their parent, which is still the right place
 * to look.
 */
function locateLine(lines: string[], path: ReadonlyArray<string | number>): number | undefined {
  const toks = tokenize(lines);
  let start = 0;
  let end = toks.length;
  let parentIndent = -1;
  let found: number | undefined;
  for (const seg of path) {
    let hit = -1;
    if (typeof seg === 'string') {
      const keyRe = new RegExp(`^["']?${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:(\\s|$)`);
      let childIndent = -1;
      for (let i = start; i < end; i++) {
        const t = toks[i]!;
        if (t.indent <= parentIndent) break;
        if (childIndent === -1) childIndent = t.indent;
        if (t.indent === childIndent && !t.dash && keyRe.test(t.body)) {
          hit = i;
          break;
        }
      }
      if (hit === -1) return found;
      parentIndent = toks[hit]!.indent;
      start = hit + 1;
      end = toks.length;
      for (let i = start; i < toks.length; i++) {
        const t = toks[i]!;
        if (t.indent < parentIndent || (t.indent === parentIndent && !t.dash)) {
          end = i;
          break;
        }
      }
    } else {
      let count = -1;
      let itemIndent = -1;
      for (let i = start; i < end; i++) {
        const t = toks[i]!;
        if (!t.dash) continue;
        if (itemIndent === -1) itemIndent = t.indent;
        if (t.indent !== itemIndent) continue;
        count++;
        if (count === seg) {
          hit = i;
          break;
        }
      }
      if (hit === -1) return found;
      parentIndent = toks[hit]!.indent;
      start = hit + 1;
      end = toks.length;
      for (let i = start; i < toks.length; i++) {
        if (toks[i]!.indent <= parentIndent) {
          end = i;
          break;
        }
      }
    }
    found = toks[hit]!.line;
  }
  return found;
}
