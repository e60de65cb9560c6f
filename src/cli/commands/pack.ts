import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describeUnrunnable, type UnrunnableAction } from '../../packs/runner-support.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { clientFor, guarded } from '../remote.js';
import { registerPackConfig } from './pack-config.js';

/** A git URL (https, ssh, scp-like `git@host:org/repo`) goes to the appliance as given. */
const GIT_SOURCE = /^(https?:\/\/|ssh:\/\/|git:\/\/|git@|file:\/\/)/;

export function registerPack(program: Command): void {
  const pack = program.command('pack').description('packs: list the loaded ones, install from a local folder or a git URL, remove');

  withExamples(pack.command('list').description('list the packs the appliance has loaded').option('--json', 'print JSON'), 'netreflex pack list').action(
    (opts: { json?: boolean }, cmd: Command) =>
      guarded(async () => {
        const page = await clientFor(cmd).listPacks();
        if (opts.json) return printJson(page.items);
        const rows = page.items.map((p) => ({ ...p, 'cannot run': cannotRunSummary(p.cannot_run) }));
        process.stdout.write(`${table(rows, ['ref', 'version', 'installed', 'actions', 'cannot run', 'description'])}\n`);
        for (const p of page.items) {
          const list = cannotRunOf(p.cannot_run);
          if (list.length) process.stderr.write(`note: pack ${String(p.ref)}: ${describeUnrunnable(list, Number(p.actions ?? list.length))}\n`);
        }
      }),
  );

  withExamples(
    pack
      .command('install <source>')
      .description('install a pack (admin) from a folder on the appliance host or a git URL; it is checked first and refused if it does not load')
      .option('--force', 'install even if some of its files do not load, or if its ref is taken by a shipped pack (e.g. core), which it then replaces')
      .option('--json', 'print JSON'),
    'netreflex pack install ./packs/bgp_tools',
    'netreflex pack install https://github.com/example/netreflex-pack-evpn.git',
  ).action((source: string, opts: { force?: boolean; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      // a relative folder means the one here, not one relative to the appliance's working directory
      const src = !GIT_SOURCE.test(source) && existsSync(source) ? path.resolve(source) : source;
      const r = await clientFor(cmd).installPack(src, Boolean(opts.force));
      if (opts.json) return printJson(r);
      process.stdout.write(
        `installed pack ${String(r.ref)} (${String(r.actions)} action(s), ${String(r.rules)} rule(s)) in ${String(r.path)}${r.reloaded ? '' : '; restart the appliance to load it'}\n`,
      );
      for (const w of (r.warnings as string[] | undefined) ?? []) process.stderr.write(`warning: ${w}\n`);
    }),
  );

  withExamples(
    pack.command('remove <ref>').alias('rm').description('remove a pack installed through the API (admin)').option('--json', 'print JSON'),
    'netreflex pack remove bgp_tools',
  ).action((ref: string, opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const r = await clientFor(cmd).removePack(ref);
      if (opts.json) printJson(r);
      else process.stdout.write(`removed pack ${ref}\n`);
    }),
  );

  registerPackConfig(pack);
}

function cannotRunOf(raw: unknown): UnrunnableAction[] {
  const list = Array.isArray(raw) ? (raw as Array<{ action: string; runner_type: string; reason: string }>) : [];
  return list.map((u) => ({ action: u.action, runnerType: u.runner_type, reason: u.reason }));
}

/** "2 (mistral-v2 x1, winrm-cmd x1)"; null (shown as '-') when every action can run. */
function cannotRunSummary(raw: unknown): string | null {
  const list = cannotRunOf(raw);
  if (list.length === 0) return null;
  const by = new Map<string, number>();
  for (const u of list) by.set(u.runnerType, (by.get(u.runnerType) ?? 0) + 1);
  return `${list.length} (${[...by].map(([t, n]) => `${t} x${n}`).join(', ')})`;
}
