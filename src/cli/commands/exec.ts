import type { Command } from 'commander';
import { GETTER_NAMES } from '../../../drivers/contract/getters.js';
import { NrxError } from '../../core/errors.js';
import type { ApiClient } from '../api-client.js';
import { EXIT } from '../context.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';
import { execLocal, type ExecLocalOptions } from './exec-local.js';
import { printOutcomes, progress, type ExecOutcome } from './exec-output.js';

interface ExecOptions extends ExecLocalOptions {
  concurrency: string;
  timeout: string;
}

const WHERE = `
Where it runs: like every command, through the appliance's API (the URL from --url, NETREFLEX_URL
or \`netreflex login\`), with the appliance's inventory, credentials and known hosts; each device's
result arrives as it finishes. With --data-dir or NETREFLEX_DATA_DIR and no URL configured, it
runs in this process on that data directory (which must exist; exec never creates one); only
then do --inventory, --known-hosts and --trust-new-hosts apply.`;

export function registerExec(program: Command): void {
  program
    .command('exec <what>')
    .description('run a show command or a getter on every inventory device matching --on, in parallel, and report per device')
    .requiredOption('--on <filter>', 'which devices: role=leaf, leaf1,leaf2 (names), "name in (leaf1, leaf2)", "site=dc1 and platform=frr", name=leaf*')
    .option('--concurrency <n>', 'devices worked on at once', '20')
    .option('--timeout <seconds>', 'per-command timeout', '30')
    .option('--json', 'print every device result as JSON')
    .option('--yaml', 'print every device result as YAML')
    .option('--raw', "print each device's raw output")
    .option('--data-dir <dir>', 'run in this process on this data directory (inventory, credentials, known hosts) instead of through the API')
    .option('--inventory <dir>', 'with a data directory: use this YAML inventory folder for this run only (the stored one is not changed)')
    .option('--known-hosts <file>', 'with a data directory: OpenSSH known_hosts file (default <data-dir>/known_hosts)')
    .option('--trust-new-hosts', 'with a data directory: record the host key of a device seen for the first time instead of refusing it')
    .addHelpText(
      'after',
      `\nWHAT is a show command, or a getter: ${GETTER_NAMES.join(', ')}.\nA command the platform can parse (e.g. show ip bgp summary) prints the parsed model as a table.\nExit code 0 when every device succeeded, 1 when any failed, 2 for bad arguments or a filter that selects no device.\n${WHERE}\n\nExamples:\n  netreflex exec "show ip bgp summary" --on role=leaf\n  netreflex exec bgp_neighbors --on leaf1,leaf2 --json\n  netreflex exec "show version" --on 'name=leaf*' --concurrency 50 --raw\n  netreflex exec facts --on role=leaf --data-dir /var/lib/netreflex --inventory inventory/\n`,
    )
    .action((what: string, o: ExecOptions, cmd: Command) =>
      guarded(async () => {
        const concurrency = Number(o.concurrency);
        const timeout = Number(o.timeout);
        if (!Number.isInteger(concurrency) || concurrency < 1)
          throw new NrxError('NRX_ERR_USAGE', `--concurrency must be a whole number >= 1, got '${o.concurrency}'`);
        if (!(timeout > 0)) throw new NrxError('NRX_ERR_USAGE', `--timeout must be a number of seconds > 0, got '${o.timeout}'`);
        if (useDataDir(globalsOf(cmd))) return execLocal(what, o, { concurrency, timeoutMs: timeout * 1000 });
        const local = (['inventory', 'knownHosts', 'trustNewHosts'] as const).filter((k) => o[k] !== undefined);
        if (local.length) {
          const flags = local.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
          throw new NrxError(
            'NRX_ERR_USAGE',
            `${flags}: only with a data directory (--data-dir); through the appliance, exec uses its inventory and known hosts ` +
              `(import a folder with \`netreflex inventory import --yaml DIR\`; the appliance's host keys are in <data-dir>/known_hosts)`,
          );
        }
        return execRemote(clientFor(cmd), what, o, { concurrency, timeout });
      }),
    );
}

/** Through the appliance: POST /api/v1/inventory/exec, each device's result read from the stream as it finishes. */
async function execRemote(client: ApiClient, what: string, o: ExecOptions, limits: { concurrency: number; timeout: number }): Promise<number> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  const show = progress();
  let devices: string[] = [];
  const got = new Map<string, ExecOutcome>();
  let ended = false;
  try {
    await client.execOnDevices(
      { what, on: o.on, ...limits },
      (m) => {
        const d = m.data as Record<string, unknown>;
        if (m.event === 'start') devices = d.devices as string[];
        else if (m.event === 'device') {
          const x = d as unknown as ExecOutcome & { done: number; total: number };
          const { done, total, ...outcome } = x;
          got.set(outcome.device, outcome);
          show(outcome, done, total);
        } else if (m.event === 'end') ended = true;
        else if (m.event === 'error') throw new NrxError('NRX_ERR_INTERNAL', `the appliance stopped the run: ${String(d.message)}`);
      },
      abort.signal,
    );
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    process.removeListener('SIGINT', stop);
  }
  const outcomes = devices.map((name) => got.get(name)).filter((x): x is ExecOutcome => x !== undefined);
  printOutcomes(what, outcomes, o);
  if (!ended) {
    process.stderr.write(`the stream ended after ${outcomes.length} of ${devices.length} device(s)${abort.signal.aborted ? ' (interrupted)' : ''}\n`);
    return EXIT.failed;
  }
  return outcomes.every((x) => x.ok) ? EXIT.ok : EXIT.failed;
}
