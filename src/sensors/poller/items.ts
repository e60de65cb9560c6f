import type { GetterModels } from '../../../drivers/contract/getters.js';
import type { SnmpValue } from '../../../drivers/contract/snmp.js';
import { NrxError } from '../../core/errors.js';
import { GETTER_LIST, placeWalkedValue, SNMP_INDEX_FIELD, SNMP_VALUE_FIELD, type PollSource, type SnmpObject } from './source.js';

/**
 * A device's reading as items by key: one per BGP peer, interface or table row. Pure: the
 * raw model or SNMP values in, items out, so the change detector never sees transport shapes.
 */

export type Item = Record<string, unknown>;
export type Items = ReadonlyMap<string, Item>;

/** What a poll of one device returns before it becomes items. */
export type RawReading =
  | { kind: 'getter'; model: GetterModels[keyof GetterModels] }
  | { kind: 'snmp-walk'; walks: Array<{ root: SnmpObject; values: SnmpValue[] }> }
  | { kind: 'snmp-get'; values: SnmpValue[] };

export interface ItemsResult {
  items: Map<string, Item>;
  /** Items without a value in a key field (not comparable, left out). */
  unkeyed: number;
  /** Keys seen more than once; the first item is kept (the key is not unique: widen it). */
  duplicates: string[];
}

/** Composite keys read `default|10.0.1.1`. */
export const KEY_SEPARATOR = '|';

export function itemKey(item: Item, key: readonly string[]): string | null {
  if (key.length === 0) return '';
  const parts: string[] = [];
  for (const f of key) {
    const v = item[f];
    if (v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v))) return null;
    parts.push(String(v));
  }
  return parts.join(KEY_SEPARATOR);
}

function collect(list: readonly Item[], key: readonly string[]): ItemsResult {
  const out: ItemsResult = { items: new Map(), unkeyed: 0, duplicates: [] };
  for (const item of list) {
    const k = itemKey(item, key);
    if (k === null) out.unkeyed++;
    else if (out.items.has(k)) out.duplicates.push(k);
    else out.items.set(k, item);
  }
  return out;
}

/** SNMP values as operators read them: the enumeration's label (`down`) when there is one. */
function snmpFieldValue(v: SnmpValue): unknown {
  return v.label ?? v.value;
}

export function toItems(source: PollSource, raw: RawReading, key: readonly string[]): ItemsResult {
  if (source.kind === 'getter' && raw.kind === 'getter') {
    const listName = GETTER_LIST[source.getter];
    const model = raw.model as unknown as Record<string, unknown>;
    if (listName === null) return collect([{ ...model }], []);
    const list = model[listName];
    if (!Array.isArray(list)) throw new NrxError('NRX_ERR_PARSE', `getter ${source.getter} returned no '${listName}' list`);
    return collect(
      list.filter((x): x is Item => x !== null && typeof x === 'object'),
      key,
    );
  }
  if (source.kind === 'snmp-walk' && raw.kind === 'snmp-walk') {
    const rows = new Map<string, Item>();
    for (const { root, values } of raw.walks) {
      for (const v of values) {
        if (v.value === null && v.type !== 'Null') continue; // noSuchObject / endOfMibView: nothing there
        const { field, index } = placeWalkedValue(root, v.oid);
        let row = rows.get(index);
        if (!row) rows.set(index, (row = { [SNMP_INDEX_FIELD]: index }));
        row[field] = snmpFieldValue(v);
      }
    }
    return collect([...rows.values()], key);
  }
  if (source.kind === 'snmp-get' && raw.kind === 'snmp-get') {
    const items = new Map<string, Item>();
    source.objects.forEach((o, i) => {
      const v = raw.values[i];
      items.set(o.name, { [SNMP_VALUE_FIELD]: v ? snmpFieldValue(v) : null });
    });
    return { items, unkeyed: 0, duplicates: [] };
  }
  throw new NrxError('NRX_ERR_INTERNAL', `poller reading of kind ${raw.kind} does not fit source ${source.kind}`);
}
