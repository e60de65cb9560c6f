/**
 * Runs a template over text: each line goes through the current state's rules in order until
 * one matches (Continue keeps going on the same line), and the record operations build the
 * records. Value options keep Python textfsm's exact semantics and order of effects:
 * Filldown, Fillup, Key, Required (a record missing it is dropped), List (nested named groups
 * become objects), the implicit Record at end of input unless an EOF state is declared or the
 * End state was reached.
 */
import { NrxError } from '../../src/core/errors.js';
import { pySplitlines } from './py-text.js';
import { matchAt } from './python-regex.js';
import type { Template, TemplateRule, TemplateValue } from './template.js';

/** One entry of a List value: the text matched, or an object of its nested named groups. */
export type ListItem = string | null | Record<string, string | null>;
/** A value in a record: text ('' when unset) or, for List values, an array. */
export type RecordCell = string | ListItem[];
export type TextFsmRecord = Record<string, RecordCell>;

type Current = string | null | ListItem[];

/** Python truthiness for what a value can hold. */
function truthy(v: Current | RecordCell | undefined): boolean {
  if (v === null || v === undefined) return false;
  return v.length > 0;
}

class RecordBuilder {
  readonly rows: RecordCell[][] = [];
  private readonly current: Current[];
  private readonly filldown: Array<string | null>;
  private readonly lists: ListItem[][];

  constructor(private readonly values: TemplateValue[]) {
    this.current = values.map(() => null);
    this.filldown = values.map(() => null);
    this.lists = values.map(() => []);
  }

  assign(i: number, v: string | null): void {
    const value = this.values[i]!;
    this.current[i] = v;
    for (const option of value.options) {
      if (option === 'Filldown') this.filldown[i] = v;
      else if (option === 'Fillup') this.fillUp(i, v);
      else if (option === 'List') this.lists[i]!.push(listItem(value, v));
    }
  }

  /** A value set now is copied into earlier records, newest first, until one already has it. */
  private fillUp(i: number, v: string | null): void {
    if (!truthy(v)) return;
    for (let r = this.rows.length - 1; r >= 0; r--) {
      const row = this.rows[r]!;
      if (truthy(row[i])) break;
      row[i] = v!;
    }
  }

  /** Clear: every value but Filldown ones (and List ones that are also Filldown). */
  clear(): void {
    this.values.forEach((value, i) => {
      this.current[i] = null;
      for (const option of value.options) {
        if (option === 'Filldown') this.current[i] = this.filldown[i]!;
        else if (option === 'List' && !value.options.includes('Filldown')) this.lists[i] = [];
      }
    });
  }

  clearAll(): void {
    this.values.forEach((value, i) => {
      this.current[i] = null;
      for (const option of value.options) {
        if (option === 'Filldown') this.filldown[i] = null;
        else if (option === 'List') this.lists[i] = [];
      }
    });
  }

  record(): void {
    if (this.values.length === 0) return;
    for (let i = 0; i < this.values.length; i++) {
      for (const option of this.values[i]!.options) {
        if (option === 'Required' && !truthy(this.current[i])) {
          this.clear();
          return;
        }
        if (option === 'List') this.current[i] = [...this.lists[i]!];
      }
    }
    // a record with nothing in it is not one (and, as in textfsm, nothing is cleared)
    if (this.current.every((v) => !truthy(v) && v !== '')) return;
    this.rows.push(this.current.map((v) => v ?? ''));
    this.clear();
  }
}

function listItem(value: TemplateValue, v: string | null): ListItem {
  const nested = value.nested;
  if (nested && nested.groupCount > 1 && nested.groupNames.size > 0 && v !== null) {
    const m = matchAt(nested, v);
    if (m) {
      const item: Record<string, string | null> = {};
      for (const [name, group] of nested.groupNames) {
        // a group may be called __proto__ in Python; keep it a plain key
        if (name === '__proto__') Object.defineProperty(item, name, { value: m[group] ?? null, enumerable: true, writable: true, configurable: true });
        else item[name] = m[group] ?? null;
      }
      return item;
    }
  }
  return v;
}

export interface ParseOptions {
  /** Treat the end of the text as the end of input (the implicit Record). Default true. */
  eof?: boolean;
}

/** The records as rows in Value order, as textfsm's ParseText returns them. */
export function parseRows(template: Template, text: string, opts: ParseOptions = {}): RecordCell[][] {
  const builder = new RecordBuilder(template.values);
  let stateName = 'Start';
  let rules: TemplateRule[] = template.states.get('Start')!;
  const lines = text ? pySplitlines(text) : [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    for (const rule of rules) {
      const m = matchAt(rule.regex, line);
      if (!m) continue;
      for (const a of rule.assigns) builder.assign(a.value, m[a.group] ?? null);
      if (rule.recordOp === 'Record') builder.record();
      else if (rule.recordOp === 'Clear') builder.clear();
      else if (rule.recordOp === 'Clearall') builder.clearAll();
      if (rule.lineOp === 'Error') throw errorAction(template, rule, n + 1, line);
      if (rule.lineOp === 'Continue') continue;
      if (rule.newState) {
        stateName = rule.newState;
        if (stateName !== 'End' && stateName !== 'EOF') rules = template.states.get(stateName)!;
      }
      break;
    }
    if (stateName === 'End' || stateName === 'EOF') break;
  }
  if (stateName !== 'End' && !template.hasEofState && opts.eof !== false) builder.record();
  return builder.rows;
}

/** The records as objects keyed by Value name, in Value order (textfsm's ParseTextToDicts). */
export function parseRecords(template: Template, text: string, opts: ParseOptions = {}): TextFsmRecord[] {
  const names = template.values.map((v) => v.name);
  return parseRows(template, text, opts).map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]!])));
}

function errorAction(template: Template, rule: TemplateRule, inputLine: number, text: string): NrxError {
  const why = rule.newState ? `: ${rule.newState}` : '';
  return new NrxError('NRX_ERR_PARSE', `TextFSM rule raised Error${why} on input line ${inputLine}: '${text.slice(0, 200)}'`, {
    location: { file: template.file, line: rule.line },
    details: { inputLine, ...(rule.newState ? { message: rule.newState } : {}) },
  });
}
