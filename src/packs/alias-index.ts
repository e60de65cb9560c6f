import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NrxError, isNrxError } from '../core/errors.js';
import { loadYamlFile } from '../core/yaml-file.js';
import { matchFormat } from './alias-format.js';
import { parseAlias, type ActionAlias, type AliasFormat } from './alias-spec.js';
import type { PackInfo } from './pack-meta.js';
import { outsidePack } from './pack-paths.js';

/** What a chat command matched: the alias, the format string and the parameters it gives the action. */
export interface AliasMatch {
  alias: ActionAlias;
  /** The representation that matched, and the format entry it belongs to. */
  representation: string;
  format: AliasFormat;
  /** Extracted values, then the alias's immutable_parameters over them. */
  parameters: Record<string, unknown>;
}

/**
 * The action aliases of the loaded packs (`aliases/*.yaml`, StackStorm's layout). Read beside
 * the pack loader, from the packs it found, so an alias file that fails to load is reported
 * with its file, line and field and the rest still load.
 */
export class AliasIndex {
  private constructor(
    readonly aliases: readonly ActionAlias[],
    readonly errors: readonly NrxError[],
  ) {}

  static load(packs: readonly PackInfo[]): AliasIndex {
    const aliases: ActionAlias[] = [];
    const errors: NrxError[] = [];
    const seen = new Map<string, string>();
    for (const pack of packs) {
      for (const file of yamlFiles(path.join(pack.path, 'aliases'))) {
        try {
          const outside = outsidePack(pack.path, file);
          if (outside !== null)
            throw new NrxError('NRX_ERR_SPEC_INVALID', `is a symlink that leaves the pack (to ${outside}); refused`, { location: { file } });
          const alias = parseAlias(loadYamlFile(file), pack);
          const first = seen.get(alias.ref);
          if (first)
            throw new NrxError('NRX_ERR_SPEC_INVALID', `alias '${alias.ref}' is defined twice (first in ${first}); this copy is ignored`, {
              location: { file, field: 'name' },
            });
          seen.set(alias.ref, file);
          aliases.push(alias);
        } catch (e) {
          errors.push(isNrxError(e) ? e : new NrxError('NRX_ERR_SPEC_INVALID', `cannot load: ${(e as Error).message}`, { location: { file }, cause: e }));
        }
      }
    }
    return new AliasIndex(aliases, errors);
  }

  static of(aliases: ActionAlias[]): AliasIndex {
    return new AliasIndex(aliases, []);
  }

  get(ref: string): ActionAlias | undefined {
    return this.aliases.find((a) => a.ref === ref);
  }

  /**
   * The one enabled alias whose format matches `command` (st2's rule: none or several is an
   * error, and the message says which). `command` is chat text: it is matched, never rendered.
   */
  match(command: string): AliasMatch {
    const text = command.trim();
    const hits: AliasMatch[] = [];
    for (const alias of this.aliases) {
      if (!alias.enabled) continue;
      const hit = firstMatch(alias, text);
      if (hit) hits.push(hit);
    }
    if (hits.length === 1) return hits[0]!;
    if (hits.length === 0)
      throw new NrxError('NRX_ERR_ALIAS_NO_MATCH', `command ${JSON.stringify(clip(text))} matches no action alias (GET /api/v1/actionalias lists the formats)`);
    throw new NrxError(
      'NRX_ERR_ALIAS_AMBIGUOUS',
      `command ${JSON.stringify(clip(text))} matches ${hits.length} aliases: ${hits.map((h) => `${h.alias.ref} (${JSON.stringify(h.representation)})`).join(', ')}`,
    );
  }
}

function firstMatch(alias: ActionAlias, text: string): AliasMatch | null {
  for (const compiled of alias.compiled) {
    const params = matchFormat(compiled, text);
    if (!params) continue;
    const format = alias.formats.find((f) => f.representation.includes(compiled.source))!;
    return { alias, representation: compiled.source, format, parameters: { ...params, ...alias.immutableParameters } };
  }
  return null;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.'))
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
}

const loaded = new WeakMap<readonly PackInfo[], AliasIndex>();

/** The aliases of one load of the packs, read once (a content reload brings a new pack list, so new aliases). */
export function aliasesOf(packs: readonly PackInfo[]): AliasIndex {
  let index = loaded.get(packs);
  if (!index) loaded.set(packs, (index = AliasIndex.load(packs)));
  return index;
}
