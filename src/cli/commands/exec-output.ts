import yaml from 'js-yaml';
import { colorStatus, printJson, table } from '../output.js';

/** One device's result as both ways of running exec report it (device-command.ts plainOutcome). */
export interface ExecOutcome {
  device: string;
  ok: boolean;
  elapsed_ms: number;
  platform?: string | null;
  kind?: 'command' | 'getter';
  output?: string;
  model?: unknown;
  getter?: string;
  error?: { code: string; message: string };
}

/** A progress line on stderr while devices finish (only on a terminal). */
export function progress(): (o: ExecOutcome, done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => {};
  let failed = 0;
  return (o, done, total) => {
    if (!o.ok) failed++;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ok ${done - failed}  failed ${failed}  ${o.device}${' '.repeat(10)}${done === total ? '\n' : ''}`,
    );
  };
}

/** Rows of a parsed model, for a table: lists of objects flatten into rows. */
function modelRows(model: unknown): { rows: Array<Record<string, unknown>>; columns: string[] } | null {
  const list = Array.isArray(model) ? model : model && typeof model === 'object' ? Object.values(model).find((v) => Array.isArray(v)) : null;
  if (!Array.isArray(list) || !list.every((r) => r && typeof r === 'object')) return null;
  const columns = [...new Set(list.flatMap((r) => Object.keys(r as object)))].filter((c) =>
    list.some((r) => typeof (r as Record<string, unknown>)[c] !== 'object'),
  );
  return { rows: list as Array<Record<string, unknown>>, columns };
}

export function printOutcomes(what: string, outcomes: ExecOutcome[], o: { json?: boolean; yaml?: boolean; raw?: boolean }): void {
  if (o.json) return printJson(outcomes);
  if (o.yaml) {
    process.stdout.write(yaml.dump(outcomes, { lineWidth: 160 }));
    return;
  }
  for (const x of outcomes) {
    if (!x.ok) continue;
    const rows = x.model !== undefined && !o.raw ? modelRows(x.model) : null;
    process.stdout.write(`\n== ${x.device} (${x.platform ?? '?'}) ${what}\n`);
    if (rows) process.stdout.write(`${table(rows.rows, rows.columns)}\n`);
    else if (x.output !== undefined) process.stdout.write(`${x.output.replace(/\s+$/, '')}\n`);
    else process.stdout.write(`${JSON.stringify(x.model, null, 2)}\n`);
  }
  const ok = outcomes.filter((x) => x.ok).length;
  process.stdout.write(
    `\n${table(
      outcomes.map((x) => ({
        device: x.device,
        status: colorStatus(x.ok ? 'succeeded' : 'failed'),
        ms: x.elapsed_ms,
        detail: x.ok
          ? x.model !== undefined
            ? `${x.getter ?? 'parsed'}`
            : `${(x.output ?? '').split('\n').length} lines`
          : `${x.error?.code}: ${x.error?.message}`,
      })),
      ['device', 'status', 'ms', 'detail'],
    )}\n${ok} ok, ${outcomes.length - ok} failed\n`,
  );
}
