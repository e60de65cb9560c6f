import { readFileSync } from 'node:fs';
import { NrxError } from './errors.js';
import type { YamlSource } from './spec-error.js';
import { parseYaml } from './yaml.js';

/**
 * A YAML file read and parsed (parseYaml: alias limits, line numbers). Apart from yaml.ts so that
 * parsing text (template filters, workflow conductors) reaches no file system.
 */
export function loadYamlFile(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new NrxError('NRX_ERR_SPEC_INVALID', `cannot read file: ${(e as Error).message}`, { location: { file }, cause: e });
  }
  return parseYaml(text, file);
}
