import { parseYaml } from '../../../src/core/yaml.js';
import { parsePollerDefinition, type PollerDefinition } from '../../../src/sensors/poller/definition.js';

/** A poller definition from YAML text, as a pack file would give it. */
export function definition(yamlText: string, pack = 'lab', file = '/packs/lab/pollers/p.yaml'): PollerDefinition {
  return parsePollerDefinition(parseYaml(yamlText, file), pack);
}

/** The same with a faster schedule than files may ask for (scheduler tests). */
export function fastDefinition(yamlText: string, everyMs: number, timeoutMs = 5_000): PollerDefinition {
  return { ...definition(yamlText), everyMs, timeoutMs };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
