import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadContent } from '../../appliance.js';
import { NrxError } from '../../core/errors.js';
import { testRule } from '../../rules/rule-tester.js';
import { collect, configFrom, type DataOptions } from '../context.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { clientFor, globalsOf, guarded, runsInProcess, useDataDir } from '../remote.js';

const RULE_COLUMNS = ['ref', 'enabled', 'trigger', 'action', 'extensions'];

function ruleRow(r: { ref: unknown; enabled: unknown; trigger: unknown; action: unknown; throttle?: unknown; holdDown?: unknown }): Record<string, unknown> {
  return {
    ref: r.ref,
    enabled: r.enabled,
    trigger: (r.trigger as { type?: string } | null)?.type ?? null,
    action: (r.action as { ref?: string } | null)?.ref ?? null,
    extensions: [r.throttle ? 'throttle' : '', r.holdDown ? 'hold_down' : ''].filter(Boolean).join(',') || null,
  };
}

/** What `rule test` prints, the same for the in-process tester and the API's. */
type TestOutcome = {
  exitCode: number;
  rule?: string | null;
  actionRef?: string;
  parameters?: unknown;
  failures?: Array<{ key: string; reason: string }>;
  error?: { code?: string; message?: string } | null;
};

function printOutcome(r: TestOutcome, json?: boolean): number {
  if (json) printJson(r);
  else if (r.exitCode === 0)
    process.stdout.write(`MATCH: rule ${r.rule} matches; action ${r.actionRef ?? ''} would run with:\n${JSON.stringify(r.parameters, null, 2)}\n`);
  else if (r.exitCode === 1) process.stdout.write(`NO MATCH: rule ${r.rule}\n${(r.failures ?? []).map((f) => `  ${f.key}: ${f.reason}`).join('\n')}\n`);
  else process.stderr.write(`error: ${r.error?.code ? `${r.error.code}: ` : ''}${r.error?.message ?? 'invalid input'}\n`);
  return r.exitCode;
}

export function registerRule(program: Command): void {
  const rule = program.command('rule').description('rules: list, show, enable, disable, test a rule against an event');

  withExamples(
    rule
      .command('list')
      .description('list the rules with their enabled state (with --data-dir: the rules in the pack base paths)')
      .option('--data-dir <dir>', 'read the pack base paths instead of the API')
      .option('--packs-path <dir>', 'with --data-dir: extra pack base path (repeatable)', collect)
      .option('--pack <ref>', 'only this pack')
      .option('--trigger <type>', 'only rules on this trigger type')
      .option('--json', 'print JSON'),
    'netreflex rule list --pack remediation',
  ).action((opts: DataOptions & { pack?: string; trigger?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      if (useDataDir(globalsOf(cmd))) {
        const content = loadContent(configFrom(opts).packsPaths);
        const rows = content.rules.filter((r) => (!opts.pack || r.pack === opts.pack) && (!opts.trigger || r.trigger.type === opts.trigger)).map(ruleRow);
        if (opts.json) return printJson({ rules: rows, errors: content.errors.map((e) => e.toJSON()) });
        process.stdout.write(`${table(rows, RULE_COLUMNS)}\n`);
        for (const e of content.errors) process.stderr.write(`warning: not loaded: ${e.code}: ${e.message}\n`);
        return;
      }
      const page = await clientFor(cmd).listRules({ ...(opts.pack ? { pack: opts.pack } : {}), ...(opts.trigger ? { trigger: opts.trigger } : {}) });
      if (opts.json) printJson(page.items);
      else
        process.stdout.write(
          `${table(
            page.items.map((r) => ruleRow(r as Parameters<typeof ruleRow>[0])),
            RULE_COLUMNS,
          )}\n`,
        );
    }),
  );

  withExamples(
    rule.command('get <ref>').description('one rule: trigger, criteria, action, extensions and where it comes from').option('--json', 'print JSON'),
    'netreflex rule get remediation.bgp_peer_down',
  ).action((ref: string, opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const r = await clientFor(cmd).getRule(ref);
      if (opts.json) return printJson(r);
      for (const [k, v] of Object.entries(r))
        if (v !== undefined && v !== null) process.stdout.write(`${`${k}:`.padEnd(13)} ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    }),
  );

  for (const enabled of [true, false]) {
    const verb = enabled ? 'enable' : 'disable';
    withExamples(
      rule.command(`${verb} <ref>`).description(`${verb} a rule (admin); kept across restarts, pack rules included`).option('--json', 'print JSON'),
      `netreflex rule ${verb} remediation.bgp_peer_down`,
    ).action((ref: string, opts: { json?: boolean }, cmd: Command) =>
      guarded(async () => {
        const r = await clientFor(cmd).setRuleEnabled(ref, enabled);
        if (opts.json) printJson(r);
        else process.stdout.write(`rule ${ref} ${enabled ? 'enabled' : 'disabled'}\n`);
      }),
    );
  }

  withExamples(
    rule
      .command('test')
      .description('test a rule against an event, running nothing (exit 0: matches, 1: does not match, 2: invalid input)')
      .requiredOption('--rule <file|ref>', 'rule YAML file (StackStorm format), or with the API the ref of a loaded rule')
      .requiredOption('--event <file>', 'event JSON: a payload, or {"trigger": TYPE, "payload": {...}}')
      .option('--remote', "use the appliance's rule tester through the API")
      .option('--json', 'print the outcome as JSON'),
    'netreflex rule test --rule packs/remediation/rules/bgp_peer_down.yaml --event bgp_down.json',
    'netreflex rule test --rule remediation.bgp_peer_down --event bgp_down.json --remote',
  ).action((opts: { rule: string; event: string; remote?: boolean; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      if (runsInProcess(globalsOf(cmd))) {
        try {
          return printOutcome(testRule(opts.rule, opts.event), opts.json);
        } catch (e) {
          throw e instanceof NrxError ? e : new NrxError('NRX_ERR_USAGE', (e as Error).message);
        }
      }
      const ruleArg = existsSync(opts.rule) ? readFileSync(opts.rule, 'utf8') : opts.rule;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(readFileSync(opts.event, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new NrxError('NRX_ERR_USAGE', `cannot read the event: ${(e as Error).message}`, { location: { file: opts.event } });
      }
      return printOutcome((await clientFor(cmd).testRule(ruleArg, event)) as TestOutcome, opts.json);
    }),
  );
}
