import type { Command } from 'commander';
import { fullProgram } from '../../src/cli/program.js';

export interface HelpExample {
  /** The command whose --help shows it: `netreflex execution tail`. */
  command: string;
  /** The example as printed (a continued line joined, the trailing comment dropped). */
  line: string;
}

/**
 * Every example under every command's --help: the indented lines after an `Examples:` heading,
 * as `netreflex <command> --help` prints them (addHelpText included).
 */
export async function helpExamples(): Promise<HelpExample[]> {
  const out: HelpExample[] = [];
  const walk = (cmd: Command, path: string): void => {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    cmd.outputHelp();
    let inExamples = false;
    let continued = false;
    for (const l of text.split('\n')) {
      if (/^Examples?:/.test(l)) inExamples = true;
      else if (inExamples && continued && /^\s+\S/.test(l)) out[out.length - 1]!.line += ` ${l.trim()}`;
      else if (inExamples && /^ {2}\S/.test(l)) out.push({ command: path, line: l.trim() });
      else inExamples = false;
      continued = inExamples && l.trimEnd().endsWith('\\');
      if (continued) out[out.length - 1]!.line = out[out.length - 1]!.line.replace(/\s*\\$/, '');
    }
    for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
  };
  walk(await fullProgram(), 'netreflex');
  // "# asks for the value" and the like explain the example; they are not part of it
  return out.map((e) => ({ ...e, line: e.line.replace(/\s{2,}#.*$/, '') }));
}
