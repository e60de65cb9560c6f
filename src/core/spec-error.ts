import { NrxError } from './errors.js';

/**
 * Errors about operator-authored YAML files, naming file, line and field. Kept apart from
 * reading the files (yaml.ts) so spec checkers that only walk a parsed document (the workflow
 * languages) depend on no file system.
 */

/** A parsed YAML document that can say on which line a field sits, for error messages. */
export interface YamlSource {
  file: string;
  doc: unknown;
  /** 1-based line of the node at `path` (e.g. ['chain', 2, 'ref']), or of its nearest ancestor. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
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
