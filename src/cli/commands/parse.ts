import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCommandOutput, platformNames, requirePlatform } from '../../../drivers/platforms/registry.js';
import { NrxError } from '../../core/errors.js';
import { EXIT, reportError } from '../context.js';
import { printJson } from '../output.js';

/** `netreflex parse PLATFORM COMMAND < output`: the parsed model as JSON, for people writing parsers. */
export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('parse saved device output with a platform parser and print the model as JSON')
    .argument('<platform>', `platform (${platformNames().join(', ')})`)
    .argument('<command...>', "the command that produced the output, e.g. show ip bgp summary")
    .option('--file <path>', 'read the output from a file instead of stdin')
    .option('--list', 'list the commands this platform can parse')
    .addHelpText('after', '\nExamples:\n  netreflex parse frr show ip bgp summary < bgp.txt\n  netreflex parse cisco_ios "show lldp neighbors" --file lldp.txt\n')
    .action((platform: string, words: string[], opts: { file?: string; list?: boolean }) => {
      try {
        if (opts.list) {
          printJson({ platform, commands: Object.entries(requirePlatform(platform).parsers).map(([command, p]) => ({ command, getter: p.getter })) });
          return;
        }
        const command = words.join(' ');
        requirePlatform(platform); // an unknown platform is a usage error before stdin is read
        const output = opts.file ? readFileSync(opts.file, 'utf8') : readFileSync(0, 'utf8');
        const { getter, model } = parseCommandOutput(platform, command, output);
        printJson({ platform, command, getter, ...model });
      } catch (e) {
        reportError(e);
        process.exitCode = e instanceof NrxError && (e.code === 'NRX_ERR_UNSUPPORTED' || e.code === 'NRX_ERR_PARSE') ? EXIT.usage : EXIT.failed;
      }
    });
}
