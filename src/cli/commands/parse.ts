import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { commandVariants } from '../../../drivers/platforms/command-patterns.js';
import { parseCommandOutput, platformNames, requirePlatform } from '../../../drivers/platforms/registry.js';
import { textfsmParse } from '../../../drivers/textfsm/textfsm.js';
import { NrxError } from '../../core/errors.js';
import { EXIT, exitCodeFor, reportError } from '../exit-codes.js';
import { printJson } from '../output.js';

interface ParseOptions {
  file?: string;
  list?: boolean;
  textfsm?: string;
  platform?: string;
  command?: string;
}

/**
 * `netreflex parse PLATFORM COMMAND < output`: the parsed model as JSON, for people writing parsers.
 * `--textfsm TEMPLATE` (or `--platform P --command C` through NETREFLEX_TEXTFSM_PATH's index):
 * TextFSM records as a JSON list of objects keyed by Value name.
 */
export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('parse saved device output with a platform parser or a TextFSM template and print JSON')
    .argument('[platform]', `platform (${platformNames().join(', ')})`)
    .argument('[command...]', 'the command that produced the output, e.g. show ip bgp summary')
    .option('--file <path>', 'read the output from a file instead of stdin')
    .option('--list', 'list the commands this platform (or, with no platform, every platform) can parse')
    .option('--textfsm <template>', 'parse with this TextFSM template file (or a name in $NETREFLEX_TEXTFSM_PATH)')
    .option('--platform <platform>', 'with --command: the TextFSM template the $NETREFLEX_TEXTFSM_PATH index names')
    .option('--command <command>', 'with --platform: the command that produced the output')
    .addHelpText(
      'after',
      `
Examples:
  netreflex parse --list
  netreflex parse frr show ip bgp summary < bgp.txt
  netreflex parse cisco_ios "show lldp neighbors" --file lldp.txt
  netreflex parse --textfsm cisco_ios_show_lldp_neighbors.textfsm < lldp.txt
  NETREFLEX_TEXTFSM_PATH=~/ntc-templates/ntc_templates/templates \\
    netreflex parse --platform cisco_ios --command "sh lldp nei" < lldp.txt

TextFSM prints a JSON list of records keyed by the template's Value names (a List value is an
array), in TextFSM's record order. A template error exits 2 naming the file and line.
`,
    )
    .action((platform: string | undefined, words: string[], opts: ParseOptions) => {
      try {
        if (opts.textfsm !== undefined || opts.platform !== undefined || opts.command !== undefined) {
          parseWithTextfsm(platform, words, opts);
          return;
        }
        if (opts.list) {
          // no platform: every platform, so `parse --list` answers "what can it parse?"
          const listed = platform ? [platform] : platformNames();
          const lists = listed.map((name) => ({
            platform: name,
            commands: commandVariants(requirePlatform(name)).map((v) => ({ command: v.command, getter: requirePlatform(name).parsers[v.parser]!.getter })),
          }));
          printJson(platform ? lists[0] : lists);
          return;
        }
        if (!platform) throw new NrxError('NRX_ERR_USAGE', 'give a platform and a command, or --textfsm TEMPLATE, or --platform and --command (or --list)');
        const command = words.join(' ');
        requirePlatform(platform); // an unknown platform is a usage error before stdin is read
        const { getter, model, command: full, warnings } = parseCommandOutput(platform, command, readOutput(opts));
        // lines the parser could not read: named on stderr and kept in the JSON beside the rows
        for (const w of warnings) process.stderr.write(`warning: line ${w.line}: ${w.reason}: ${JSON.stringify(w.text)}\n`);
        printJson({ platform, command: full, getter, ...model, ...(warnings.length > 0 ? { warnings } : {}) });
      } catch (e) {
        reportError(e);
        process.exitCode = e instanceof NrxError && (e.code === 'NRX_ERR_UNSUPPORTED' || e.code === 'NRX_ERR_PARSE') ? EXIT.usage : exitCodeFor(e);
      }
    });
}

function readOutput(opts: ParseOptions): string {
  return opts.file ? readFileSync(opts.file, 'utf8') : readFileSync(0, 'utf8');
}

function parseWithTextfsm(platform: string | undefined, words: string[], opts: ParseOptions): void {
  if (platform !== undefined)
    throw new NrxError('NRX_ERR_USAGE', `with --textfsm, --platform or --command give no platform or command words (got '${[platform, ...words].join(' ')}')`);
  if (opts.textfsm === undefined && (!opts.platform || !opts.command)) {
    throw new NrxError('NRX_ERR_USAGE', '--platform and --command go together (the index needs both)');
  }
  const { records } = textfsmParse(
    { output: readOutput(opts), ...(opts.textfsm !== undefined ? { template: opts.textfsm } : { platform: opts.platform!, command: opts.command! }) },
    { templates: 'anywhere' },
  );
  printJson(records);
}
