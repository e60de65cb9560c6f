import type { Command } from 'commander';
import { loadContent } from '../../appliance.js';
import { testRule } from '../../rules/rule-tester.js';
import { collect, configFrom, EXIT, reportError, type DataOptions } from '../context.js';
import { printJson, table } from '../output.js';

export function registerRule(program: Command): void {
  const rule = program.command('rule').description('rules: list the loaded rules, test a rule against an event');
  rule
    .command('list')
    .description('list the rules loaded from the pack base paths')
    .option('--json', 'print JSON')
    .option('--packs-path <dir>', 'extra pack base path (repeatable)', collect)
    .action((opts: DataOptions & { json?: boolean }) => {
      const content = loadContent(configFrom(opts).packsPaths);
      const rows = content.rules.map((r) => ({ ref: r.ref, enabled: r.enabled, trigger: r.trigger.type, action: r.action.ref, extensions: [r.throttle ? 'throttle' : '', r.holdDown ? 'hold_down' : ''].filter(Boolean).join(',') || null }));
      if (opts.json) printJson({ rules: rows, errors: content.errors.map((e) => e.toJSON()) });
      else {
        process.stdout.write(`${table(rows, ['ref', 'enabled', 'trigger', 'action', 'extensions'])}\n`);
        for (const e of content.errors) process.stderr.write(`warning: not loaded: ${e.code}: ${e.message}\n`);
      }
    });
  rule
    .command('test')
    .description('test a rule file against an event file (exit 0: matches, 1: does not match, 2: invalid input)')
    .requiredOption('--rule <file>', 'rule YAML file (StackStorm format)')
    .requiredOption('--event <file>', 'event JSON: a payload, or {"trigger": TYPE, "payload": {...}}')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExample:\n  netreflex rule test --rule packs/remediation/rules/bgp_peer_down.yaml --event bgp_down.json\n')
    .action((opts: { rule: string; event: string; json?: boolean }) => {
      try {
        const r = testRule(opts.rule, opts.event);
        if (opts.json) printJson(r);
        else if (r.exitCode === 0) process.stdout.write(`MATCH: rule ${r.rule} matches; action ${r.actionRef ?? ''} would run with:\n${JSON.stringify(r.parameters, null, 2)}\n`);
        else if (r.exitCode === 1) process.stdout.write(`NO MATCH: rule ${r.rule}\n${r.failures.map((f) => `  ${f.key}: ${f.reason}`).join('\n')}\n`);
        else process.stderr.write(`error: ${r.error?.message ?? 'invalid input'}\n`);
        process.exitCode = r.exitCode;
      } catch (e) {
        reportError(e);
        process.exitCode = EXIT.usage;
      }
    });
}
