/**
 * The part of a TextFSM rule after `->`: `LineOp[.RecordOp] [NewState]`, `RecordOp [NewState]`
 * or `[NewState]`, where Error may carry a message (a word or a "quoted string") instead of a
 * state. Grammar and checks as Python textfsm 1.1 reads them.
 */
import { PY_SPACE_CLASS, PY_WORD_CLASS } from './py-text.js';

export type LineOp = 'Next' | 'Continue' | 'Error';
export type RecordOp = 'NoRecord' | 'Record' | 'Clear' | 'Clearall';

export interface RuleAction {
  lineOp: LineOp;
  recordOp: RecordOp;
  /** The state to go to, '' to stay; for Error, the message (quotes kept, as textfsm prints it). */
  newState: string;
}

export const LINE_OPS: readonly string[] = ['Continue', 'Next', 'Error'];
export const RECORD_OPS: readonly string[] = ['Clear', 'Clearall', 'Record', 'NoRecord'];

const S = `[${PY_SPACE_CLASS}]`;
const ONE_SPACE = new RegExp(`^${S}$`, 'u');
const WORD_START = new RegExp(`^[${PY_WORD_CLASS}]`, 'u');
const TARGET = `(?<state>[${PY_WORD_CLASS}]+|".*")`;
const REC = '(?<rec>Clear|Clearall|Record|NoRecord)';
// Tried in this order; the first that matches the whole action text wins.
const FORMS = [
  new RegExp(`^${S}+(?<line>Continue|Next|Error)(?:\\.${REC})?(?:${S}+${TARGET})?$`, 'u'),
  new RegExp(`^${S}+${REC}(?:${S}+${TARGET})?$`, 'u'),
  new RegExp(`^(?:${S}+${TARGET})?$`, 'u'),
];

/** The rule split at its last ` ->` (whitespace, then the arrow): regex text and action text. */
export function splitRule(rule: string): { match: string; action: string | null } {
  for (let i = rule.length - 3; i >= 0; i--) {
    if (rule[i + 1] === '-' && rule[i + 2] === '>' && ONE_SPACE.test(rule[i]!)) {
      return { match: rule.slice(0, i), action: rule.slice(i + 3) };
    }
  }
  return { match: rule, action: null };
}

/** Throws a plain Error with the reason; the template parser adds file and line. */
export function parseRuleAction(action: string | null): RuleAction {
  if (action === null) return { lineOp: 'Next', recordOp: 'NoRecord', newState: '' };
  let m: RegExpExecArray | null = null;
  for (const form of FORMS) if ((m = form.exec(action))) break;
  if (!m) throw new Error(`badly formatted rule action '->${action}'`);
  const g = m.groups ?? {};
  const result: RuleAction = {
    lineOp: (g.line as LineOp | undefined) ?? 'Next',
    recordOp: (g.rec as RecordOp | undefined) ?? 'NoRecord',
    newState: g.state ?? '',
  };
  if (result.lineOp === 'Continue' && result.newState) throw new Error(`action 'Continue' cannot change state (to ${result.newState})`);
  if (result.lineOp !== 'Error' && result.newState && !WORD_START.test(result.newState)) {
    throw new Error(`state names are letters, digits and _ only, got ${result.newState}`);
  }
  return result;
}
