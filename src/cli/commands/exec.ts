import path from 'node:path';
import type { Command } from 'commander';
import yaml from 'js-yaml';
import { GETTER_NAMES, type GetterName } from '../../../drivers/contract/getters.js';
import { findPlatform, parseCommandOutput } from '../../../drivers/platforms/registry.js';
import { NrxError } from '../../core/errors.js';
import { InventoryDevices } from '../../../drivers/access/device-resolver.js';
import { fanOut, summarise, type DeviceOutcome } from '../../../drivers/access/fan-out.js';
import { sshDriverFactory } from '../../../drivers/access/open.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import { InventoryService } from '../../inventory/inventory-service.js';
import { configFrom, EXIT, reportError, type DataOptions } from '../context.js';
import { colorStatus, table } from '../output.js';
import { openCredentials } from './credential.js';

interface ExecOptions extends DataOptions {
  on: string;
  concurrency: string;
  json?: boolean;
  yaml?: boolean;
  raw?: boolean;
  inventory?: string;
  knownHosts?: string;
  trustNewHosts?: boolean;
  timeout: string;
}

/** What one device gave back. */
interface DeviceResult {
  platform: string | null;
  kind: 'command' | 'getter';
  output?: string;
  failed?: boolean;
  failureReason?: string;
  model?: unknown;
  getter?: string;
}

const GETTER_ALIASES: Record<string, GetterName> = Object.fromEntries(
  GETTER_NAMES.flatMap((g) => [
    [g, g],
    [`get_${g}`, g],
    [`get${g.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())}`, g],
  ]),
) as Record<string, GetterName>;

/** A progress line on stderr while devices finish (only on a terminal). */
function progress(total: number): (o: DeviceOutcome<DeviceResult>, done: number) => void {
  if (!process.stderr.isTTY) return () => {};
  let failed = 0;
  return (o, done) => {
    if (!o.ok) failed++;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ok ${done - failed}  failed ${failed}${done === total ? '\n' : ''}`,
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

export function registerExec(program: Command): void {
  program
    .command('exec <what>')
    .description('run a show command or a getter on every inventory device matching --on, in parallel, and report per device')
    .requiredOption('--on <filter>', 'inventory filter, e.g. role=leaf, "site=dc1 and platform=frr", name=leaf*')
    .option('--concurrency <n>', 'devices worked on at once', '20')
    .option('--timeout <seconds>', 'per-command timeout', '30')
    .option('--json', 'print every device result as JSON')
    .option('--yaml', 'print every device result as YAML')
    .option('--raw', "print each device's raw output")
    .option('--inventory <dir>', "first sync the data directory's inventory from this YAML directory (YAML wins)")
    .option('--known-hosts <file>', 'OpenSSH known_hosts file (default <data-dir>/known_hosts)')
    .option('--trust-new-hosts', 'record the host key of a device seen for the first time instead of refusing it')
    .option('--data-dir <dir>', 'data directory (inventory, credentials)')
    .addHelpText(
      'after',
      `\nWHAT is a show command, or a getter: ${GETTER_NAMES.join(', ')}.\nA command the platform can parse (e.g. show ip bgp summary) prints the parsed model as a table.\nExit code 0 when every device succeeded, 1 when any failed, 2 for bad arguments.\n\nExamples:\n  netreflex exec "show ip bgp summary" --on role=leaf\n  netreflex exec bgp_neighbors --on "site=dc1 and platform=frr" --json\n  netreflex exec "show version" --on 'name=leaf*' --concurrency 50 --raw\n`,
    )
    .action(async (what: string, o: ExecOptions) => {
      const { store, credentials } = openCredentials(o);
      try {
        const inventory = new InventoryService(store);
        if (o.inventory) {
          const r = await inventory.loadYaml(path.resolve(o.inventory));
          if (r.errors.length) throw r.errors[0]!;
        }
        const { dataDir } = configFrom(o);
        const devices = new InventoryDevices(inventory, credentials, {
          knownHostsFile: o.knownHosts ?? path.join(dataDir, 'known_hosts'),
          hostKeyPolicy: o.trustNewHosts ? 'tofu' : 'strict',
        });
        const hosts = await inventory.listHosts(o.on);
        if (hosts.length === 0) throw new NrxError('NRX_ERR_USAGE', `no inventory device matches --on ${JSON.stringify(o.on)}`);
        const getter = GETTER_ALIASES[what];
        const timeoutMs = Number(o.timeout) * 1000;
        const outcomes = await fanOut<DeviceResult>(
          hosts.map((h) => h.name),
          async (name) => {
            const target = await devices.target(name);
            target.commandTimeoutMs = timeoutMs;
            return withDevice({ resolve: async () => target }, sshDriverFactory, name, undefined, async (driver) => {
              if (getter) return { platform: target.platform, kind: 'getter', getter, model: await driver.get(getter) };
              const [r] = await driver.send([what]);
              if (r!.failed) throw new NrxError('NRX_ERR_COMMAND_REJECTED', `${name}: '${what}' rejected: ${r!.failureReason ?? 'error'}`);
              let model: unknown;
              let parsedGetter: string | undefined;
              if (findPlatform(target.platform)) {
                try {
                  const parsed = parseCommandOutput(target.platform, what, r!.output);
                  model = parsed.model;
                  parsedGetter = parsed.getter;
                } catch {
                  model = undefined; // no parser for this command: raw output only
                }
              }
              return { platform: target.platform, kind: 'command', output: r!.output, ...(model !== undefined ? { model, getter: parsedGetter } : {}) };
            });
          },
          { concurrency: Number(o.concurrency), onOutcome: progress(hosts.length) },
        );
        printOutcomes(what, outcomes, o);
        process.exitCode = summarise(outcomes).failed > 0 ? EXIT.failed : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
}

function printOutcomes(what: string, outcomes: DeviceOutcome<DeviceResult>[], o: ExecOptions): void {
  const plain = outcomes.map((x) =>
    x.ok
      ? { device: x.device, ok: true, elapsed_ms: Math.round(x.elapsedMs), ...x.value }
      : { device: x.device, ok: false, elapsed_ms: Math.round(x.elapsedMs), error: x.error },
  );
  if (o.json) {
    process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
    return;
  }
  if (o.yaml) {
    process.stdout.write(yaml.dump(plain, { lineWidth: 160 }));
    return;
  }
  for (const x of outcomes) {
    if (!x.ok) continue;
    const rows = x.value.model !== undefined && !o.raw ? modelRows(x.value.model) : null;
    process.stdout.write(`\n== ${x.device} (${x.value.platform ?? '?'}) ${what}\n`);
    if (rows) process.stdout.write(`${table(rows.rows, rows.columns)}\n`);
    else if (x.value.output !== undefined) process.stdout.write(`${x.value.output.replace(/\s+$/, '')}\n`);
    else process.stdout.write(`${JSON.stringify(x.value.model, null, 2)}\n`);
  }
  const s = summarise(outcomes);
  process.stdout.write(
    `\n${table(
      outcomes.map((x) => ({
        device: x.device,
        status: colorStatus(x.ok ? 'succeeded' : 'failed'),
        ms: Math.round(x.elapsedMs),
        detail: x.ok
          ? x.value.model !== undefined
            ? `${x.value.getter ?? 'parsed'}`
            : `${(x.value.output ?? '').split('\n').length} lines`
          : `${x.error.code}: ${x.error.message}`,
      })),
      ['device', 'status', 'ms', 'detail'],
    )}\n${s.ok} ok, ${s.failed} failed\n`,
  );
}
