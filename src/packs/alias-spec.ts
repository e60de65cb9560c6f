import { isNrxError } from '../core/errors.js';
import { specError, type YamlSource } from '../core/yaml.js';
import { compileFormat, type CompiledFormat } from './alias-format.js';
import { isPlainObject, type PackInfo } from './pack-meta.js';

/** One entry of `formats`: what help shows, and the strings a command is matched against. */
export interface AliasFormat {
  display: string;
  representation: string[];
}

/** A chat reply an alias defines (`ack` or `result`): a Jinja template over the execution. */
export interface AliasReply {
  enabled: boolean;
  format: string | null;
  /** `ack.append_url`: add the execution's link (StackStorm's default: yes). */
  appendUrl: boolean;
  extra: Record<string, unknown> | null;
}

/** A StackStorm action alias (`aliases/*.yaml`), as loaded. */
export interface ActionAlias {
  /** `pack.name` */
  ref: string;
  name: string;
  pack: string;
  description: string;
  enabled: boolean;
  actionRef: string;
  formats: AliasFormat[];
  /** Every representation compiled, in file order. */
  compiled: CompiledFormat[];
  ack: AliasReply;
  result: AliasReply;
  /** Parameters the alias always passes; a command cannot change them. */
  immutableParameters: Record<string, unknown>;
  /** Adapter-specific hints (Slack attachments...), kept as written. */
  extra: Record<string, unknown>;
  file: string;
}

/** StackStorm's ActionAlias schema has no other fields (additionalProperties: false). */
const FIELDS = new Set([
  'id',
  'ref',
  'uid',
  'name',
  'pack',
  'description',
  'enabled',
  'action_ref',
  'formats',
  'ack',
  'result',
  'extra',
  'immutable_parameters',
]);
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

export function parseAlias(src: YamlSource, pack: PackInfo): ActionAlias {
  const doc = src.doc;
  if (!isPlainObject(doc)) throw specError(src, [], 'an action alias must be a mapping with `name`, `action_ref` and `formats`');
  for (const k of Object.keys(doc)) if (!FIELDS.has(k)) throw specError(src, [k], `unknown field '${k}' (an action alias has ${[...FIELDS].join(', ')})`);
  const name = doc.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw specError(src, ['name'], 'alias needs a `name` of letters, digits, _ and -');
  if (doc.pack !== undefined && doc.pack !== null && doc.pack !== pack.ref)
    throw specError(src, ['pack'], `alias is in pack '${pack.ref}' but its \`pack\` field says ${JSON.stringify(doc.pack)}`);
  const actionRef = doc.action_ref;
  if (typeof actionRef !== 'string' || !/^[^.\s]+\.[^\s]+$/.test(actionRef)) throw specError(src, ['action_ref'], 'alias needs an `action_ref` (pack.action)');
  if (doc.description !== undefined && doc.description !== null && typeof doc.description !== 'string')
    throw specError(src, ['description'], 'description must be a string');
  if (doc.enabled !== undefined && typeof doc.enabled !== 'boolean') throw specError(src, ['enabled'], 'enabled must be true or false');
  const formats = parseFormats(src, doc.formats);
  const compiled: CompiledFormat[] = [];
  formats.forEach((f, i) =>
    f.representation.forEach((r, j) => {
      try {
        compiled.push(compileFormat(r));
      } catch (e) {
        const where = Array.isArray(doc.formats) && isPlainObject(doc.formats[i]) ? ['formats', i, 'representation', j] : ['formats', i];
        throw specError(src, where, isNrxError(e) ? e.message : String(e));
      }
    }),
  );
  return {
    ref: `${pack.ref}.${name}`,
    name,
    pack: pack.ref,
    description: typeof doc.description === 'string' ? doc.description : '',
    enabled: doc.enabled !== false,
    actionRef,
    formats,
    compiled,
    ack: parseReply(src, doc.ack, 'ack'),
    result: parseReply(src, doc.result, 'result'),
    immutableParameters: optionalMapping(src, doc.immutable_parameters, 'immutable_parameters'),
    extra: optionalMapping(src, doc.extra, 'extra'),
    file: src.file,
  };
}

function parseFormats(src: YamlSource, raw: unknown): AliasFormat[] {
  if (!Array.isArray(raw) || raw.length === 0) throw specError(src, ['formats'], 'alias needs `formats`: a list of strings or {display, representation}');
  return raw.map((f, i): AliasFormat => {
    if (typeof f === 'string') return { display: f, representation: [f] };
    if (!isPlainObject(f)) throw specError(src, ['formats', i], 'a format is a string or a mapping with `display` and `representation`');
    const rep = f.representation;
    if (!Array.isArray(rep) || rep.length === 0 || !rep.every((r) => typeof r === 'string'))
      throw specError(src, ['formats', i, 'representation'], '`representation` must be a list of format strings');
    if (f.display !== undefined && typeof f.display !== 'string') throw specError(src, ['formats', i, 'display'], '`display` must be a string');
    return { display: typeof f.display === 'string' ? f.display : (rep[0] as string), representation: rep as string[] };
  });
}

function parseReply(src: YamlSource, raw: unknown, field: 'ack' | 'result'): AliasReply {
  if (raw === undefined || raw === null) return { enabled: true, format: null, appendUrl: true, extra: null };
  if (!isPlainObject(raw)) throw specError(src, [field], `\`${field}\` must be a mapping (enabled, format, extra${field === 'ack' ? ', append_url' : ''})`);
  for (const k of ['enabled', 'append_url'] as const)
    if (raw[k] !== undefined && typeof raw[k] !== 'boolean') throw specError(src, [field, k], `${field}.${k} must be true or false`);
  if (raw.format !== undefined && typeof raw.format !== 'string') throw specError(src, [field, 'format'], `${field}.format must be a template string`);
  return {
    enabled: raw.enabled !== false,
    format: typeof raw.format === 'string' ? raw.format : null,
    appendUrl: raw.append_url !== false,
    extra: raw.extra === undefined || raw.extra === null ? null : optionalMapping(src, raw.extra, `${field}.extra`),
  };
}

function optionalMapping(src: YamlSource, raw: unknown, field: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw specError(src, [field], `\`${field}\` must be a mapping`);
  return raw;
}
