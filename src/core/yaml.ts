import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { NrxError, isNrxError } from './errors.js';
import { aliasGuard } from './yaml-aliases.js';
import { lineLocator } from './yaml-lines.js';

/** A parsed YAML document that can say on which line a field sits, for error messages. */
export interface YamlSource {
  file: string;
  doc: unknown;
  /** 1-based line of the node at `path` (e.g. ['chain', 2, 'ref']), or of its nearest ancestor. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/**
 * Parse one YAML document. Aliases are bounded (yaml-aliases.ts): a document whose aliases
 * would expand too far is refused with NRX_ERR_YAML_SYNTAX before anything walks it.
 */
export function parseYaml(text: string, file: string): YamlSource {
  let doc: unknown;
  const aliases = aliasGuard(text, file);
  try {
    doc = yaml.load(text, { filename: file, listener: aliases.listener });
  } catch (e) {
    if (isNrxError(e)) throw e;
    const err = e as { mark?: { line: number; column: number }; reason?: string; message: string };
    const line = err.mark ? err.mark.line + 1 : undefined;
    throw new NrxError('NRX_ERR_YAML_SYNTAX', `invalid YAML: ${err.reason ?? err.message.split('\n')[0]}${err.mark ? ` (column ${err.mark.column + 1})` : ''}`, {
      location: { file, ...(line !== undefined ? { line } : {}) },
      cause: e,
    });
  }
  aliases.check();
  return { file, doc, lineOf: lineLocator(text) };
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
