import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { clientFor, guarded } from '../remote.js';

/** A git URL (https, ssh, scp-like `git@host:org/repo`) goes to the appliance as given. */
const GIT_SOURCE = /^(https?:\/\/|ssh:\/\/|git:\/\/|git@|file:\/\/)/;

export function registerPack(program: Command): void {
  const pack = program.command('pack').description('packs: list the loaded ones, install from a local folder or a git URL, remove');

  withExamples(pack.command('list').description('list the packs the appliance has loaded').option('--json', 'print JSON'), 'netreflex pack list').action((opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const page = await clientFor(cmd).listPacks();
      if (opts.json) printJson(page.items);
      else process.stdout.write(`${table(page.items, ['ref', 'version', 'installed', 'description'])}\n`);
    }),
  );

  withExamples(
    pack
      .command('install <source>')
      .description('install a pack (admin) from a folder on the appliance host or a git URL; it is checked first and refused if it does not load')
      .option('--force', 'install even if some of its files do not load, or replace an installed pack')
      .option('--json', 'print JSON'),
    'netreflex pack install ./packs/bgp_tools',
    'netreflex pack install https://github.com/example/netreflex-pack-evpn.git',
  ).action((source: string, opts: { force?: boolean; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      // a relative folder means the one here, not one relative to the appliance's working directory
      const src = !GIT_SOURCE.test(source) && existsSync(source) ? path.resolve(source) : source;
      const r = await clientFor(cmd).installPack(src, Boolean(opts.force));
      if (opts.json) return printJson(r);
      process.stdout.write(`installed pack ${String(r.ref)} (${String(r.actions)} action(s), ${String(r.rules)} rule(s)) in ${String(r.path)}${r.reloaded ? '' : '; restart the appliance to load it'}\n`);
      for (const w of (r.warnings as string[] | undefined) ?? []) process.stderr.write(`warning: ${w}\n`);
    }),
  );

  withExamples(pack.command('remove <ref>').alias('rm').description('remove a pack installed through the API (admin)').option('--json', 'print JSON'), 'netreflex pack remove bgp_tools').action(
    (ref: string, opts: { json?: boolean }, cmd: Command) =>
      guarded(async () => {
        const r = await clientFor(cmd).removePack(ref);
        if (opts.json) printJson(r);
        else process.stdout.write(`removed pack ${ref}\n`);
      }),
  );
}
