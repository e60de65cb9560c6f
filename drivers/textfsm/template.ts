/**
 * A TextFSM template read into values, states and compiled rules. The reading follows Python
 * textfsm 1.1 line for line (what is a comment, where the Value block ends, which indentation a
 * rule needs, `${Value}` and `$$` substitution), so a template it accepts we accept and one it
 * rejects we reject; every error is NRX_ERR_TEMPLATE naming the file and line.
 */
import { NrxError } from '../../src/core/errors.js';
import { fileLines, PlaceholderError, PY_SPACE_CLASS, PY_WORD_CLASS, pyRstrip, pyStrip, substitutePlaceholders } from './py-text.js';
import { compilePythonRegex, PyRegexError, type PythonRegex } from './python-regex.js';
import { LINE_OPS, parseRuleAction, RECORD_OPS, splitRule, type LineOp, type RecordOp } from './rule-action.js';

export type ValueOption = 'Filldown' | 'Fillup' | 'Key' | 'List' | 'Required';
const OPTIONS: readonly string[] = ['Filldown', 'Fillup', 'Key', 'List', 'Required'];

export interface TemplateValue {
  name: string;
  /** In the order written: textfsm runs them in that order, and it matters (Required,List). */
  options: ValueOption[];
  /** The regex as written, `(...)`. */
  regex: string;
  line: number;
  /** List values: the value's own regex, matched again to split nested named groups. */
  nested?: PythonRegex;
}

export interface TemplateRule {
  line: number;
  /** The rule's regex after `${Value}` substitution, as Python reads it. */
  pattern: string;
  regex: PythonRegex;
  /** Which match group fills which value, for named groups that are Values. */
  assigns: Array<{ group: number; value: number }>;
  lineOp: LineOp;
  recordOp: RecordOp;
  /** '' stays in the state; for Error, the message. */
  newState: string;
}

export interface Template {
  file: string;
  values: TemplateValue[];
  states: Map<string, TemplateRule[]>;
  /** A declared (empty) EOF state turns off the implicit record at the end of input. */
  hasEofState: boolean;
}

const MAX_NAME = 48;
const COMMENT = new RegExp(`^[${PY_SPACE_CLASS}]*#`, 'u');
const STATE_NAME = new RegExp(`^[${PY_WORD_CLASS}]+$`, 'u');

/** Read a template. `file` names it in errors. */
export function parseTemplate(text: string, file = '<template>'): Template {
  return new TemplateReader(text, file).read();
}

class TemplateReader {
  private readonly lines: string[];
  private n = 0;
  private readonly values: TemplateValue[] = [];
  private readonly groupPatterns = new Map<string, string>();
  private readonly valueIndex = new Map<string, number>();
  private readonly states = new Map<string, TemplateRule[]>();

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = fileLines(text);
  }

  private fail(message: string, line?: number): NrxError {
    return new NrxError('NRX_ERR_TEMPLATE', `TextFSM template: ${message}`, { location: { file: this.file, ...(line !== undefined ? { line } : {}) } });
  }

  read(): Template {
    this.readValues();
    while (this.readState());
    return this.validate();
  }

  private readValues(): void {
    while (this.n < this.lines.length) {
      const lineNo = ++this.n;
      const line = pyRstrip(this.lines[lineNo - 1]!);
      if (!line) return;
      if (COMMENT.test(line)) continue;
      if (line.startsWith('Value ')) this.readValue(line, lineNo);
      else if (this.values.length === 0) throw this.fail('no Value definitions found (a template starts with Value lines)', lineNo);
      else throw this.fail('expected a blank line after the last Value', lineNo);
    }
  }

  private readValue(line: string, lineNo: number): void {
    // textfsm splits on single spaces, so two spaces in a row make an empty token
    const tokens = line.split(' ');
    if (tokens.length < 3) throw this.fail('a Value line needs at least a name and a regex', lineNo);
    let options: ValueOption[] = [];
    let name: string;
    let regex: string;
    if (!tokens[2]!.startsWith('(')) {
      options = this.readOptions(tokens[1]!, lineNo);
      name = tokens[2]!;
      regex = tokens.slice(3).join(' ');
    } else {
      name = tokens[1]!;
      regex = tokens.slice(2).join(' ');
    }
    if (name.length > MAX_NAME) throw this.fail(`Value name '${name}' is longer than ${MAX_NAME} characters`, lineNo);
    const count = (c: string): number => regex.split(c).length - 1;
    if (!(regex.length >= 2 && regex.startsWith('(') && regex.endsWith(')')) || count('(') !== count(')')) {
      throw this.fail(`Value '${name}': the regex '${regex}' must be one '(...)' group with balanced parentheses`, lineNo);
    }
    if (this.groupPatterns.has(name)) throw this.fail(`Value '${name}' is declared twice`, lineNo);
    const value: TemplateValue = { name, options, regex, line: lineNo };
    if (options.includes('List')) value.nested = this.compile(regex, lineNo, `Value '${name}'`);
    this.valueIndex.set(name, this.values.length);
    this.values.push(value);
    this.groupPatterns.set(name, `(?P<${name}>${regex.slice(1)}`);
  }

  private readOptions(list: string, lineNo: number): ValueOption[] {
    const options: ValueOption[] = [];
    for (const o of list.split(',')) {
      if (!OPTIONS.includes(o)) throw this.fail(`unknown Value option '${o}' (options: ${OPTIONS.join(', ')})`, lineNo);
      if (options.includes(o as ValueOption)) throw this.fail(`Value option '${o}' given twice`, lineNo);
      options.push(o as ValueOption);
    }
    return options;
  }

  private compile(pattern: string, lineNo: number, what: string): PythonRegex {
    try {
      return compilePythonRegex(pattern);
    } catch (e) {
      if (e instanceof PyRegexError)
        throw this.fail(`${what}: invalid regex '${pattern}': ${e.message}${e.unsupported ? '' : ` (at character ${e.position})`}`, lineNo);
      throw e;
    }
  }

  /** One state: its name line, then rules until a blank line. False at the end of the file. */
  private readState(): boolean {
    let name = '';
    while (this.n < this.lines.length) {
      const lineNo = ++this.n;
      const line = pyRstrip(this.lines[lineNo - 1]!);
      if (!line || COMMENT.test(line)) continue;
      if (!STATE_NAME.test(line) || line.length > MAX_NAME || LINE_OPS.includes(line) || RECORD_OPS.includes(line)) {
        throw this.fail(`invalid state name '${line}' (letters, digits and _, at most ${MAX_NAME}, not an action word; rules are indented)`, lineNo);
      }
      if (this.states.has(line)) throw this.fail(`state '${line}' is defined twice`, lineNo);
      name = line;
      this.states.set(name, []);
      break;
    }
    if (!name) return false;
    const rules = this.states.get(name)!;
    while (this.n < this.lines.length) {
      const lineNo = ++this.n;
      const line = pyRstrip(this.lines[lineNo - 1]!);
      if (!line) break;
      if (COMMENT.test(line)) continue;
      if (!(line.startsWith(' ^') || line.startsWith('  ^') || line.startsWith('\t^'))) {
        throw this.fail("a rule starts with one or two spaces or a tab, then '^'", lineNo);
      }
      rules.push(this.readRule(line, lineNo));
    }
    return true;
  }

  private readRule(raw: string, lineNo: number): TemplateRule {
    const { match, action: actionText } = splitRule(pyStrip(raw));
    let pattern = match;
    if (this.groupPatterns.size > 0) {
      try {
        pattern = substitutePlaceholders(match, this.groupPatterns);
      } catch (e) {
        if (e instanceof PlaceholderError) throw this.fail(`${e.message} in '${match}' (write a literal $ as $$)`, lineNo);
        throw e;
      }
    }
    const regex = this.compile(pattern, lineNo, 'rule');
    let action;
    try {
      action = parseRuleAction(actionText);
    } catch (e) {
      throw this.fail((e as Error).message, lineNo);
    }
    const assigns: TemplateRule['assigns'] = [];
    for (const [group, number] of regex.groupNames) {
      const value = this.valueIndex.get(group);
      if (value !== undefined) assigns.push({ group: number, value });
    }
    return { line: lineNo, pattern, regex, assigns, ...action };
  }

  private validate(): Template {
    if (!this.states.has('Start')) throw this.fail("no 'Start' state");
    for (const reserved of ['End', 'EOF']) {
      const rules = this.states.get(reserved);
      if (rules && rules.length > 0) throw this.fail(`the '${reserved}' state must be empty`, rules[0]!.line);
    }
    this.states.delete('End');
    for (const [state, rules] of this.states) {
      for (const r of rules) {
        if (r.lineOp === 'Error' || !r.newState || r.newState === 'End' || r.newState === 'EOF') continue;
        if (!this.states.has(r.newState)) throw this.fail(`state '${r.newState}' is not defined (referenced in state '${state}')`, r.line);
      }
    }
    return { file: this.file, values: this.values, states: this.states, hasEofState: this.states.has('EOF') };
  }
}
