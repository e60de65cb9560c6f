/**
 * The ntc-templates `index` file: comma-separated columns (Template, Hostname, Platform, Command)
 * under a header line, `#` comments, and commands written with `[[...]]` abbreviations
 * (`sh[[ow]] ip b[[gp]] s[[ummary]]` matches `sh ip b s` through `show ip bgp summary`).
 * Every column but Template is a Python regex matched at the start of the attribute; an empty
 * cell matches anything; the first matching row wins. Read as textfsm's clitable reads it,
 * including silently skipping rows with the wrong number of cells.
 */
import { NrxError } from '../../src/core/errors.js';
import { fileLines, pyStrip } from './py-text.js';
import { compilePythonRegex, matchAt, PyRegexError, type PythonRegex } from './python-regex.js';

export interface IndexRow {
  /** 1-based line in the index file. */
  line: number;
  /** Template file names (the cell may list several, `a.textfsm:b.textfsm`, merged on Key). */
  templates: string[];
  /** The cells as written, by column. */
  cells: Record<string, string>;
  /** Compiled cells by column; null for an empty cell (a wildcard). */
  match: Map<string, PythonRegex | null>;
}

export interface TemplateIndex {
  file: string;
  columns: string[];
  rows: IndexRow[];
}

/** `sh[[ow]]` -> `sh(o(w)?)?`: every prefix of the bracketed part is accepted. */
export function expandAbbreviations(command: string): string {
  return command.replace(/\[\[(.+?)\]\]/g, (_m, word: string) => {
    const chars = Array.from(word);
    return `(${chars.join('(')}${')?'.repeat(chars.length)}`;
  });
}

export function parseIndex(text: string, file = '<index>'): TemplateIndex {
  const lines = fileLines(text);
  const fail = (message: string, line?: number): NrxError =>
    new NrxError('NRX_ERR_TEMPLATE', `TextFSM index: ${message}`, { location: { file, ...(line !== undefined ? { line } : {}) } });
  let n = 0;
  let header = '';
  while (!header && n < lines.length) header = pyStrip(lines[n++]!.split('#')[0]!);
  if (!header) throw fail('no header line (Template, Hostname, Platform, Command)');
  const columns = header.split(',').map(pyStrip);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw fail(`column '${c}' appears twice in the header`, n);
    seen.add(c);
  }
  if (!seen.has('Template')) throw fail("the header has no 'Template' column", n);
  const rows: IndexRow[] = [];
  for (; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.startsWith('#')) continue;
    const values = raw.split(',').map(pyStrip);
    if (values.length !== columns.length) continue; // blank lines and malformed rows, as clitable skips them
    const cells: Record<string, string> = {};
    const match = new Map<string, PythonRegex | null>();
    columns.forEach((column, i) => {
      let cell = values[i]!;
      cells[column] = cell;
      if (column === 'Template') return;
      if (column === 'Command') cell = expandAbbreviations(cell);
      if (!cell) {
        match.set(column, null);
        return;
      }
      try {
        match.set(column, compilePythonRegex(cell));
      } catch (e) {
        if (e instanceof PyRegexError) throw fail(`column ${column}: invalid regex '${cell}': ${e.message}`, n + 1);
        throw e;
      }
    });
    rows.push({ line: n + 1, templates: cells.Template!.split(':'), cells, match });
  }
  return { file, columns, rows };
}

/** The first row whose every given attribute (present in the index) matches. */
export function findIndexRow(index: TemplateIndex, attributes: Record<string, string>): IndexRow | undefined {
  return index.rows.find((row) =>
    Object.entries(attributes).every(([column, value]) => {
      const rx = row.match.get(column);
      return !rx || matchAt(rx, value) !== null;
    }),
  );
}
