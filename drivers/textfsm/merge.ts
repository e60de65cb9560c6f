/**
 * Several templates for one command (`a.textfsm:b.textfsm` in the index): the first template's
 * records are extended with the columns only the others have, joined on the Key values, as
 * textfsm's clitable does (positionally when no template declares a Key).
 */
import { NrxError } from '../../src/core/errors.js';
import { parseRows, type RecordCell, type TextFsmRecord } from './fsm.js';
import type { Template } from './template.js';

interface Table {
  header: string[];
  rows: RecordCell[][];
}

const keysOf = (t: Template): string[] => t.values.filter((v) => v.options.includes('Key')).map((v) => v.name);
const same = (a: RecordCell | undefined, b: RecordCell | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

export function parseMerged(templates: Template[], text: string): TextFsmRecord[] {
  const [first, ...rest] = templates;
  if (!first) return [];
  const table: Table = { header: first.values.map((v) => v.name), rows: parseRows(first, text) };
  let keys = keysOf(first);
  for (const t of rest) {
    const other: Table = { header: t.values.map((v) => v.name), rows: parseRows(t, text) };
    // clitable takes the Keys of the first template that has any
    if (keys.length === 0) keys = keysOf(t);
    extend(table, other, keys, t.file);
  }
  return table.rows.map((row) => Object.fromEntries(table.header.map((name, i) => [name, row[i]!])));
}

function extend(table: Table, other: Table, keys: string[], file: string): void {
  for (const k of keys) {
    if (!table.header.includes(k))
      throw new NrxError('NRX_ERR_TEMPLATE', `TextFSM index: Key '${k}' is not a Value of the first template, so records cannot be joined`, {
        location: { file },
      });
  }
  const added = other.header.filter((c) => !table.header.includes(c));
  if (added.length === 0) return;
  const from = added.map((c) => other.header.indexOf(c));
  table.header.push(...added);
  for (const row of table.rows) row.push(...added.map(() => ''));
  const width = table.header.length - added.length;
  const copy = (row: RecordCell[], source: RecordCell[]): void => from.forEach((j, n) => (row[width + n] = source[j]!));
  if (keys.length === 0) {
    table.rows.forEach((row, i) => {
      const source = other.rows[i];
      if (source) copy(row, source);
    });
    return;
  }
  const at = (t: Table, row: RecordCell[], k: string): RecordCell | undefined => row[t.header.indexOf(k)];
  for (const row of table.rows) {
    const source = other.rows.find((o) => keys.every((k) => same(at(table, row, k), at(other, o, k))));
    if (source) copy(row, source);
  }
}
