import { NrxError } from '../core/errors.js';
import type { ExecutionRecord } from '../store/records.js';
import type { ApiClient, SseMessage } from './api-client.js';
import { colorStatus } from './output.js';

/**
 * Follow one execution over the API's SSE route until it ends: output lines to stdout as they
 * come, status changes and workflow tasks to stderr (so stdout stays the action's output), or
 * every message as one JSON line with `json`, nothing with `quiet`. Ctrl-C stops following; the execution goes on.
 * Returns the final record, or null when following was stopped first.
 */
export async function followExecution(client: ApiClient, id: string, opts: { json?: boolean; quiet?: boolean } = {}): Promise<ExecutionRecord | null> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let final: ExecutionRecord | null = null;
  try {
    await client.tailExecution(
      id,
      (m: SseMessage) => {
        if (opts.quiet) {
          // the caller prints the outcome
        } else if (opts.json) process.stdout.write(`${JSON.stringify(m)}\n`);
        else show(m);
        if (m.event === 'end') {
          final = m.data as ExecutionRecord;
          return false;
        }
        return true;
      },
      abort.signal,
    );
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (!final && abort.signal.aborted) {
    process.stderr.write(`stopped following; execution ${id} goes on (netreflex execution tail ${id})\n`);
    return null;
  }
  if (!final) throw new NrxError('NRX_ERR_API_UNREACHABLE', `the appliance closed the output stream of execution ${id} before it ended`);
  return final;
}

function show(m: SseMessage): void {
  const d = (m.data ?? {}) as Record<string, unknown>;
  switch (m.event) {
    case 'log':
      process.stdout.write(`${String(d.line ?? '')}\n`);
      break;
    case 'status':
      process.stderr.write(`[${colorStatus(String(d.status))}]\n`);
      break;
    case 'child':
      process.stderr.write(`  task ${String(d.taskName ?? '-')} (${String(d.action)}): ${colorStatus(String(d.status))}\n`);
      break;
    case 'end': {
      const rec = d as unknown as ExecutionRecord;
      process.stderr.write(`execution ${rec.id} ${colorStatus(rec.status)}${rec.error ? `: ${rec.error.code}: ${rec.error.message}` : ''}\n`);
      break;
    }
    default:
      break;
  }
}
