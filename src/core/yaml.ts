import yaml from 'js-yaml';
import { NrxError, isNrxError } from './errors.js';
import { aliasGuard } from './yaml-aliases.js';
import { lineLocator } from './yaml-lines.js';
import type { YamlSource } from './spec-error.js';

// What reads no file lives in spec-error.ts; it is still reached from here.
export { formatPath, specError, type YamlSource } from './spec-error.js';

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
    throw new NrxError(
      'NRX_ERR_YAML_SYNTAX',
      `invalid YAML: ${err.reason ?? err.message.split('\n')[0]}${err.mark ? ` (column ${err.mark.column + 1})` : ''}`,
      {
        location: { file, ...(line !== undefined ? { line } : {}) },
        cause: e,
      },
    );
  }
  aliases.check();
  return { file, doc, lineOf: lineLocator(text) };
}
