import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { withExamples } from '../help.js';
import { colorStatus, parseKeyValues, printJson, table, typedValues } from '../output.js';
import { clientFor, guarded } from '../remote.js';

export function registerInquiry(program: Command): void {
  const inquiry = program.command('inquiry').description('inquiries: workflows waiting for a human answer (core.ask)');

  withExamples(inquiry.command('list').description('list inquiries waiting for an answer').option('--json', 'print JSON'), 'netreflex inquiry list').action(
    (opts: { json?: boolean }, cmd: Command) =>
      guarded(async () => {
        const page = await clientFor(cmd).listInquiries();
        if (opts.json) return printJson(page.items);
        const rows = page.items.map((r) => ({
          id: r.id,
          workflow: r.rootId !== r.id ? r.rootId : null,
          task: r.taskName,
          asked: r.startedAt,
          schema: (r.parameters.schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? null,
        }));
        process.stdout.write(`${table(rows, ['id', 'workflow', 'task', 'asked', 'schema'])}\n`);
      }),
  );

  withExamples(
    inquiry
      .command('respond <id> <answer...>')
      .description("answer an inquiry with key=value pairs (checked against the inquiry's schema); the workflow goes on")
      .option('--json', 'print JSON'),
    'netreflex inquiry respond 01J9Z6K3W4M2C8Q5R7T9V1X3Y5 continue=true',
    'netreflex inquiry respond 01J9Z6K3W4M2C8Q5R7T9V1X3Y5 approved=false reason="change freeze"',
  ).action((id: string, answer: string[], opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      let response: Record<string, unknown>;
      try {
        response = typedValues(parseKeyValues(answer));
      } catch (e) {
        throw new NrxError('NRX_ERR_USAGE', (e as Error).message);
      }
      const rec = await clientFor(cmd).respondInquiry(id, response);
      if (opts.json) printJson(rec);
      else process.stdout.write(`inquiry ${id} answered: ${colorStatus(rec.status)}\n`);
    }),
  );
}
