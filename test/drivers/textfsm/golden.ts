/**
 * What python3-textfsm answered for the corpus, kept next to it (expected.json files), so the
 * engine is checked on every run even where the reference cannot be installed. The differential
 * test compares the stored answers with the live reference, so they cannot go stale; run it with
 * NETREFLEX_TEXTFSM_WRITE_GOLDEN=1 to rewrite them after changing the corpus.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, referenceLine, type Case, type Lookup, type Outcome } from './corpus.js';
import type { ReferenceOutcome } from './reference.js';

/** An answer without the reference's wording: records, or the kind of error and its template line. */
export type Golden = { records: unknown[]; templates?: string[] } | { error: { kind: string; line?: number }; templates?: string[] };

export function toGolden(o: ReferenceOutcome & { templates?: string[] }): Golden {
  const templates = o.templates ? { templates: o.templates } : {};
  if ('records' in o) return { records: o.records, ...templates };
  const line = referenceLine(o.error.message);
  return { error: { kind: o.error.kind, ...(line !== undefined ? { line } : {}) }, ...templates };
}

const caseFile = (c: Case): string =>
  c.name.startsWith('template-errors/') ? path.join(FIXTURES, 'template-errors', 'expected.json') : path.join(path.dirname(c.template), 'expected.json');
const LOOKUPS_FILE = path.join(FIXTURES, 'ntc-expected.json');

function readJson(file: string): Record<string, unknown> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** Stored answers for a case, one per input, keyed by input file name. */
export function goldenForCase(c: Case): Record<string, Golden> | undefined {
  const all = readJson(caseFile(c));
  return (c.name.startsWith('template-errors/') ? all[path.basename(c.template)] : all) as Record<string, Golden> | undefined;
}

export function goldenForLookup(l: Lookup): Golden | undefined {
  return readJson(LOOKUPS_FILE)[l.name] as Golden | undefined;
}

export function writeGoldens(cases: Array<{ c: Case; answers: Golden[] }>, lookups: Array<{ l: Lookup; answer: Golden }>): void {
  const errors: Record<string, Record<string, Golden>> = {};
  for (const { c, answers } of cases) {
    const byInput = Object.fromEntries(c.inputs.map((input, i) => [path.basename(input), answers[i]!]));
    if (c.name.startsWith('template-errors/')) errors[path.basename(c.template)] = byInput;
    else writeFileSync(caseFile(c), `${JSON.stringify(byInput, null, 2)}\n`);
  }
  writeFileSync(path.join(FIXTURES, 'template-errors', 'expected.json'), `${JSON.stringify(errors, null, 2)}\n`);
  writeFileSync(LOOKUPS_FILE, `${JSON.stringify(Object.fromEntries(lookups.map(({ l, answer }) => [l.name, answer])), null, 2)}\n`);
}

/**
 * Ours agrees with the reference: the same records (same keys in the same order), or an error
 * of the same kind naming the same template line where textfsm names one.
 */
export function agrees(ours: Outcome & { templates?: string[] }, golden: Golden): boolean {
  if (JSON.stringify(ours.templates) !== JSON.stringify(golden.templates)) return false;
  if ('records' in golden) return 'records' in ours && JSON.stringify(ours.records) === JSON.stringify(golden.records);
  return 'error' in ours && ours.error.kind === golden.error.kind && (golden.error.line === undefined || golden.error.line === ours.error.line);
}
