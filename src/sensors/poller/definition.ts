import { GETTER_NAMES, type GetterName } from '../../../drivers/contract/getters.js';
import { resolveOid } from '../../../drivers/transports/snmp-names.js';
import { parseDuration } from '../../core/duration.js';
import { isNrxError } from '../../core/errors.js';
import { specError, type YamlSource } from '../../core/yaml.js';
import { parseFilter } from '../../inventory/filter.js';
import { DEFAULT_GETTER_KEY, SNMP_INDEX_FIELD, snmpObject, sourceFields, walkColumns, type PollSource, type SnmpObject } from './source.js';

/**
 * A poller definition (`pollers/*.yaml` in a pack): read something from every device an
 * inventory filter selects, every N seconds, and turn changes into events.
 *
 *   name: bgp_state
 *   every: 30s
 *   on: "role=leaf"
 *   getter: bgp_neighbors            # or snmp: {walk: ifOperStatus} / {get: [sysUpTime.0]}
 *   key: peer
 *   watch: [state]
 *   emit: network.bgp_peer_state_changed
 */

export const POLL_CHANGED = 'network.poll_changed';
export const MAPPED_TRIGGERS = ['network.bgp_peer_state_changed', 'network.interface_down', 'network.interface_up'] as const;

/**
 * How changes become events. `bgp` and `interface` turn a change of one field into the shipped
 * trigger types; every other change is a generic network.poll_changed.
 */
export type EventMapping =
  | { kind: 'generic' }
  | { kind: 'bgp'; stateField: string; peerField: string; asField: string | null; vrfField: string | null }
  | { kind: 'interface'; operField: string; nameField: string | null };

export interface PollerDefinition {
  /** `pack.name`. */
  ref: string;
  pack: string;
  name: string;
  file: string;
  description: string;
  enabled: boolean;
  everyMs: number;
  /** How long one device may take to answer before its poll counts as failed. */
  timeoutMs: number;
  /** Inventory filter; '' selects every device. */
  on: string;
  concurrency: number;
  source: PollSource;
  /** Fields whose values identify an item; empty for one-object readings (facts, SNMP get). */
  key: string[];
  /** Fields whose change is an event; null: every field of the item. */
  watch: string[] | null;
  /** The trigger type named by `emit` (network.poll_changed when absent). */
  emit: string;
  mapping: EventMapping;
  /** Emit the first reading of each device as changes instead of taking it silently as the baseline. */
  emitInitial: boolean;
}

const FIELDS = new Set([
  'name',
  'pack',
  'description',
  'enabled',
  'every',
  'timeout',
  'on',
  'concurrency',
  'getter',
  'snmp',
  'key',
  'watch',
  'emit',
  'emit_initial',
]);
const NAME = /^[A-Za-z0-9_-]+$/;
/** Polling faster than this is a load test against the devices, not monitoring. */
export const MIN_EVERY_MS = 1000;
const DEFAULT_CONCURRENCY = 20;
const MAX_CONCURRENCY = 1000;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A string or a list of strings, as `key`, `watch`, `snmp.walk` and `snmp.get` accept. */
function stringList(src: YamlSource, path: string[], v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x.trim() !== '')) {
    throw specError(src, path, `${path.join('.')} must be a name or a non-empty list of names`);
  }
  return list.map((x: string) => x.trim());
}

export function parsePollerDefinition(src: YamlSource, pack: string): PollerDefinition {
  const d = src.doc;
  if (!isObject(d)) throw specError(src, [], 'a poller definition must be a mapping with name, every and getter or snmp');
  for (const k of Object.keys(d)) if (!FIELDS.has(k)) throw specError(src, [k], `unknown field '${k}' (allowed: ${[...FIELDS].join(', ')})`);

  if (typeof d.name !== 'string' || !NAME.test(d.name)) throw specError(src, ['name'], 'name is required: letters, digits, _ and -');
  if (d.pack !== undefined && d.pack !== pack) throw specError(src, ['pack'], `pack '${String(d.pack)}' does not match the pack this file is in ('${pack}')`);
  if (d.description !== undefined && typeof d.description !== 'string') throw specError(src, ['description'], 'description must be a string');
  if (d.enabled !== undefined && typeof d.enabled !== 'boolean') throw specError(src, ['enabled'], 'enabled must be true or false');
  if (d.emit_initial !== undefined && typeof d.emit_initial !== 'boolean') throw specError(src, ['emit_initial'], 'emit_initial must be true or false');

  const duration = (field: string): number => {
    try {
      return parseDuration(d[field]);
    } catch (e) {
      throw specError(src, [field], isNrxError(e) ? e.message : String(e));
    }
  };
  if (d.every === undefined) throw specError(src, ['every'], 'every is required (how often to poll, e.g. 30s)');
  const everyMs = duration('every');
  if (everyMs < MIN_EVERY_MS) throw specError(src, ['every'], `every must be at least ${MIN_EVERY_MS / 1000}s`);
  const timeoutMs = d.timeout === undefined ? Math.max(everyMs, 10_000) : duration('timeout');
  if (timeoutMs <= 0) throw specError(src, ['timeout'], 'timeout must be more than 0');

  let on = '';
  if (d.on !== undefined) {
    if (typeof d.on !== 'string') throw specError(src, ['on'], 'on must be an inventory filter string, e.g. "role=leaf"');
    try {
      parseFilter(d.on);
    } catch (e) {
      throw specError(src, ['on'], isNrxError(e) ? e.message : String(e));
    }
    on = d.on.trim();
  }

  const concurrency = d.concurrency ?? DEFAULT_CONCURRENCY;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw specError(src, ['concurrency'], `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  }

  const emit = d.emit === undefined ? POLL_CHANGED : d.emit;
  if (typeof emit !== 'string' || ![POLL_CHANGED, ...MAPPED_TRIGGERS].includes(emit)) {
    throw specError(src, ['emit'], `emit must be one of ${[...MAPPED_TRIGGERS, POLL_CHANGED].join(', ')}`);
  }

  const source = parseSource(src, d);
  const mapping = parseMapping(src, source, emit);
  const fields = sourceFields(source);
  const checkFields = (path: string, names: string[]): void => {
    names.forEach((n, i) => {
      if (!fields.includes(n)) throw specError(src, [path, i], `'${n}' is not a field of ${describeSource(source)} (fields: ${fields.join(', ')})`);
    });
  };

  const oneObject = source.kind === 'snmp-get' || (source.kind === 'getter' && source.getter === 'facts');
  if (d.key !== undefined && oneObject)
    throw specError(
      src,
      ['key'],
      `key applies to list readings; ${describeSource(source)} gives one object per device${source.kind === 'snmp-get' ? ' (items are keyed by the object names)' : ''}`,
    );
  let key: string[] = [];
  if (d.key !== undefined) key = stringList(src, ['key'], d.key);
  else if (source.kind === 'getter') key = [...DEFAULT_GETTER_KEY[source.getter]];
  else if (source.kind === 'snmp-walk') key = [SNMP_INDEX_FIELD];
  checkFields('key', key);

  let watch: string[] | null = null;
  if (d.watch !== undefined) watch = stringList(src, ['watch'], d.watch);
  else if (mapping.kind === 'bgp') watch = [mapping.stateField];
  else if (mapping.kind === 'interface') watch = [mapping.operField];
  if (watch) checkFields('watch', watch);

  return {
    ref: `${pack}.${d.name}`,
    pack,
    name: d.name,
    file: src.file,
    description: typeof d.description === 'string' ? d.description : '',
    enabled: d.enabled !== false,
    everyMs,
    timeoutMs,
    on,
    concurrency,
    source,
    key,
    watch,
    emit,
    mapping,
    emitInitial: d.emit_initial === true,
  };
}

function parseSource(src: YamlSource, d: Record<string, unknown>): PollSource {
  if ((d.getter === undefined) === (d.snmp === undefined))
    throw specError(src, [d.getter === undefined ? 'getter' : 'snmp'], 'give exactly one of getter or snmp');
  if (d.getter !== undefined) {
    if (typeof d.getter !== 'string' || !(GETTER_NAMES as readonly string[]).includes(d.getter)) {
      throw specError(src, ['getter'], `getter must be one of ${GETTER_NAMES.join(', ')}`);
    }
    return { kind: 'getter', getter: d.getter as GetterName };
  }
  const s = d.snmp;
  if (!isObject(s) || (s.walk === undefined) === (s.get === undefined) || Object.keys(s).some((k) => k !== 'walk' && k !== 'get')) {
    throw specError(src, ['snmp'], 'snmp must be {walk: OBJECT or [OBJECTS]} or {get: OBJECT or [OBJECTS]}');
  }
  const op = s.walk !== undefined ? 'walk' : 'get';
  const objects = stringList(src, ['snmp', op], s[op]).map((name) => {
    try {
      return snmpObject(resolveOid(name, `snmp.${op}`));
    } catch (e) {
      throw specError(src, ['snmp', op], isNrxError(e) ? e.message : String(e));
    }
  });
  return op === 'walk' ? { kind: 'snmp-walk', roots: objects } : { kind: 'snmp-get', objects };
}

function hasColumn(source: PollSource, column: string): boolean {
  return source.kind === 'snmp-walk' && source.roots.some((r) => walkColumns(r).includes(column));
}

/** Walk one more column for an event mapping (ifName to name interfaces) unless it is walked already. */
function addImplicitColumn(source: PollSource, oidName: string): void {
  if (source.kind !== 'snmp-walk' || hasColumn(source, oidName)) return;
  const o: SnmpObject = { ...snmpObject(resolveOid(oidName)), implicit: true };
  source.roots.push(o);
}

function parseMapping(src: YamlSource, source: PollSource, emit: string): EventMapping {
  if (emit === 'network.bgp_peer_state_changed') {
    if (source.kind === 'getter' && source.getter === 'bgp_neighbors')
      return { kind: 'bgp', stateField: 'state', peerField: 'peer', asField: 'remoteAs', vrfField: 'vrf' };
    if (hasColumn(source, 'bgpPeerState')) {
      addImplicitColumn(source, 'bgpPeerRemoteAs');
      return { kind: 'bgp', stateField: 'bgpPeerState', peerField: SNMP_INDEX_FIELD, asField: 'bgpPeerRemoteAs', vrfField: null };
    }
    throw specError(src, ['emit'], `${emit} needs getter: bgp_neighbors or an SNMP walk of bgpPeerState`);
  }
  if (emit === 'network.interface_down' || emit === 'network.interface_up') {
    if (source.kind === 'getter' && source.getter === 'interfaces') return { kind: 'interface', operField: 'operUp', nameField: 'name' };
    if (hasColumn(source, 'ifOperStatus')) {
      addImplicitColumn(source, 'ifName');
      return { kind: 'interface', operField: 'ifOperStatus', nameField: 'ifName' };
    }
    throw specError(src, ['emit'], `${emit} needs getter: interfaces or an SNMP walk of ifOperStatus`);
  }
  return { kind: 'generic' };
}

export function describeSource(source: PollSource): string {
  if (source.kind === 'getter') return `getter ${source.getter}`;
  if (source.kind === 'snmp-walk')
    return `SNMP walk of ${source.roots
      .filter((r) => !r.implicit)
      .map((r) => r.name)
      .join(', ')}`;
  return `SNMP get of ${source.objects.map((o) => o.name).join(', ')}`;
}
