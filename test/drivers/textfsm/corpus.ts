/**
 * The TextFSM test corpus and our engine's answers in the reference's shape, so the two can be
 * compared exactly. Cases: fixtures/cases/<name>/template.textfsm with input*.txt;
 * fixtures/template-errors/*.textfsm (each must be refused); fixtures/ntc (an ntc-templates
 * style folder) looked up with the shared device outputs under test/drivers/fixtures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isNrxError } from '../../../src/core/errors.js';
import { parseRecords } from '../../../drivers/textfsm/fsm.js';
import { TextFsmLibrary } from '../../../drivers/textfsm/library.js';
import { parseTemplate } from '../../../drivers/textfsm/template.js';

export const FIXTURES = path.join(import.meta.dirname, 'fixtures');
export const NTC_DIR = path.join(FIXTURES, 'ntc');
const DEVICE_OUTPUTS = path.join(import.meta.dirname, '../fixtures');

export interface Case {
  name: string;
  template: string;
  inputs: string[];
}

export function cases(): Case[] {
  const root = path.join(FIXTURES, 'cases');
  const ok = readdirSync(root)
    .sort()
    .map((name) => {
      const dir = path.join(root, name);
      const inputs = readdirSync(dir)
        .filter((f) => /^input.*\.txt$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
      return { name, template: path.join(dir, 'template.textfsm'), inputs };
    });
  const errors = path.join(FIXTURES, 'template-errors');
  const bad = readdirSync(errors)
    .filter((f) => f.endsWith('.textfsm'))
    .sort()
    .map((f) => ({
      name: `template-errors/${f}`,
      template: path.join(errors, f),
      inputs: [path.join(errors, 'input.txt')],
    }));
  return [...ok, ...bad];
}

export interface Lookup {
  name: string;
  attributes: { Platform: string; Command: string };
  input: string;
}

/**
 * Every shared device output, with the platform and command its path names (the platform as
 * ntc-templates spells it: cisco_xr for IOS-XR).
 */
export function deviceOutputLookups(): Lookup[] {
  const out: Lookup[] = [];
  for (const platform of readdirSync(DEVICE_OUTPUTS).sort()) {
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.txt')) {
          const ntcPlatform = platform === 'cisco_iosxr' ? 'cisco_xr' : platform;
          out.push({
            name: path.relative(DEVICE_OUTPUTS, p),
            attributes: { Platform: ntcPlatform, Command: e.name.slice(0, -4).replace(/_/g, ' ') },
            input: p,
          });
        }
      }
    };
    walk(path.join(DEVICE_OUTPUTS, platform));
  }
  return out;
}

export type Outcome = { records: unknown[] } | { error: { kind: string; line?: number; message: string } };

function describe(e: unknown): Outcome {
  if (isNrxError(e)) {
    const kind = e.code === 'NRX_ERR_TEMPLATE' ? 'template' : e.code === 'NRX_ERR_PARSE' ? 'parse' : e.code === 'NRX_ERR_UNSUPPORTED' ? 'index' : e.code;
    return { error: { kind, ...(e.location.line !== undefined ? { line: e.location.line } : {}), message: e.message } };
  }
  return { error: { kind: 'crash', message: String(e) } };
}

export function ourCase(c: Case): Outcome[] {
  let template;
  try {
    template = parseTemplate(readFileSync(c.template, 'utf8'), c.template);
  } catch (e) {
    return c.inputs.map(() => describe(e));
  }
  return c.inputs.map((input) => {
    try {
      return { records: parseRecords(template, readFileSync(input, 'utf8')) };
    } catch (e) {
      return describe(e);
    }
  });
}

/** The templates the index picked (file names) and what they made of the output. */
export function ourLookup(l: Lookup): Outcome & { templates?: string[] } {
  const library = new TextFsmLibrary([NTC_DIR]);
  const found = library.find([l.attributes.Platform], l.attributes.Command);
  const templates = found?.files.map((f) => path.basename(f));
  try {
    const { records } = library.parse([l.attributes.Platform], l.attributes.Command, readFileSync(l.input, 'utf8'));
    return { records, templates };
  } catch (e) {
    return { ...describe(e), ...(templates ? { templates } : {}) };
  }
}

/** The template line textfsm's message names ("Line: 7", "Line 7.", "Rule Line: 7"), if any. */
export function referenceLine(message: string): number | undefined {
  const m = /Line:? (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}
