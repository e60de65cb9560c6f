import { namedDevices } from '../api/grants.js';
import type { ExecutionRecord, TriggerInstanceRecord } from '../store/records.js';
import type { ApiClient } from './api-client.js';
import { followExecution } from './tail.js';

export interface NextOptions {
  /** The rule that starts it (context.ruleRef). */
  rule?: string;
  /** A device it acts on: named in its parameters (device, devices, on) or the device of the event that caused it. */
  device?: string;
  /** Follow every matching execution until Ctrl-C, not only the next one. */
  keep?: boolean;
  json?: boolean;
}

/**
 * Wait for the next top-level execution that matches (a rule's remediation, anything on a
 * device), then follow it like `execution tail ID`. Returns the final record of the last one
 * followed, or null when stopped first (Ctrl-C).
 */
export async function followNext(client: ApiClient, opts: NextOptions): Promise<ExecutionRecord | null> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const eventsOfDevice = new Set<string>();
  const started = new Set<string>();
  const following: Array<Promise<ExecutionRecord | null>> = [];
  let last: ExecutionRecord | null = null;
  const what = [opts.rule ? `rule ${opts.rule}` : '', opts.device ? `device ${opts.device}` : ''].filter(Boolean).join(' and ');
  process.stderr.write(`waiting for ${opts.keep ? 'executions' : 'the next execution'} of ${what} (Ctrl-C stops)\n`);

  const matches = (x: ExecutionRecord): boolean => {
    if (x.parentId !== null || started.has(x.id)) return false; // tasks show under their workflow
    if (opts.rule && x.context.ruleRef !== opts.rule) return false;
    if (opts.device) {
      const named = namedDevices(x.parameters);
      const onDevice = named.names.includes(opts.device) || named.filters.includes(opts.device) || eventsOfDevice.has(x.context.triggerInstanceId ?? '');
      if (!onDevice) return false;
    }
    return true;
  };

  try {
    await client.tailStream(
      { kinds: opts.device ? 'event,execution' : 'execution', ...(opts.device ? { device: opts.device } : {}) },
      (m) => {
        if (m.event === 'event') eventsOfDevice.add((m.data as TriggerInstanceRecord).id);
        if (m.event !== 'execution') return true;
        const x = m.data as ExecutionRecord;
        if (!matches(x)) return true;
        started.add(x.id);
        process.stderr.write(`execution ${x.id} (${x.action})${x.context.ruleRef ? ` started by rule ${x.context.ruleRef}` : ''}\n`);
        following.push(followExecution(client, x.id, { ...(opts.json ? { json: true } : {}), signal: abort.signal }).then((r) => (last = r ?? last)));
        return Boolean(opts.keep); // the next one only: stop listening for more
      },
      abort.signal,
    );
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  }
  try {
    await Promise.all(following);
  } finally {
    process.off('SIGINT', onSigint);
  }
  return abort.signal.aborted && !opts.keep ? null : last;
}
