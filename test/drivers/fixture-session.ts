import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CliMode, CliSession, RunOptions, RunOutput } from '../../drivers/contract/cli.js';

/** Fixture files are named after the command: `show ip bgp summary` -> `show_ip_bgp_summary.txt`. */
export function commandFileName(command: string): string {
  return `${command.replace(/ /g, '_').replace(/\|/g, 'PIPE')}.txt`;
}

export function commandOfFile(file: string): string {
  return file
    .replace(/\.txt$/, '')
    .replace(/PIPE/g, '|')
    .replace(/_/g, ' ');
}

export interface FixtureCase {
  platform: string;
  getter: string;
  name: string;
  dir: string;
  /** command -> recorded output */
  outputs: Record<string, string>;
  /** command -> where a public output came from (`owner/repo path`), from the file's header line. */
  sources: Record<string, string>;
  expectedFile: string;
}

/**
 * A fixture copied from a public project opens with one header line naming it:
 * `#nrx-source: networktocode/ntc-templates tests/cisco_nxos/show_version/cisco_nxos_show_version.raw`.
 * The line is not device output: it is cut off before parsing, so line numbers stay the device's.
 */
export const SOURCE_HEADER = '#nrx-source: ';

export function splitSourceHeader(text: string): { output: string; source?: string } {
  if (!text.startsWith(SOURCE_HEADER)) return { output: text };
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  return { output: nl < 0 ? '' : text.slice(nl + 1), source: first.slice(SOURCE_HEADER.length).trim() };
}

/** Every `<platform>/<getter>/<case>/` under the fixtures root. */
export function fixtureCases(root: string): FixtureCase[] {
  const cases: FixtureCase[] = [];
  const dirs = (p: string): string[] =>
    existsSync(p)
      ? readdirSync(p)
          .filter((n) => statSync(join(p, n)).isDirectory())
          .sort()
      : [];
  for (const platform of dirs(root)) {
    for (const getter of dirs(join(root, platform))) {
      for (const name of dirs(join(root, platform, getter))) {
        const dir = join(root, platform, getter, name);
        const outputs: Record<string, string> = {};
        const sources: Record<string, string> = {};
        for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
          const { output, source } = splitSourceHeader(readFileSync(join(dir, f), 'utf8'));
          outputs[commandOfFile(f)] = output;
          if (source !== undefined) sources[commandOfFile(f)] = source;
        }
        cases.push({ platform, getter, name, dir, outputs, sources, expectedFile: join(dir, 'expected.json') });
      }
    }
  }
  return cases;
}

/** A CLI session that answers from recorded outputs, as the device did; anything else is rejected. */
export class FixtureSession implements CliSession {
  mode: CliMode = 'privileged';
  readonly basePrompt = 'fixture';
  readonly sent: string[] = [];
  constructor(
    private readonly outputs: Record<string, string>,
    private readonly rejection = '% Unknown command',
  ) {}
  async run(command: string, _opts?: RunOptions): Promise<RunOutput> {
    this.sent.push(command);
    const output = this.outputs[command];
    return { output: output ?? `${this.rejection}: ${command}`, prompt: 'fixture#', elapsedMs: 0 };
  }
  async close(): Promise<void> {}
}
