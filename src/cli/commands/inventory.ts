import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { collect } from '../context.js';
import { withExamples } from '../help.js';
import { parseKeyValues, printJson, table, typedValues } from '../output.js';
import { clientFor, guarded } from '../remote.js';

type HostView = Record<string, unknown> & { name: string; data?: Record<string, unknown>; groups?: string[] };

/** The columns an operator scans a device list by. */
function hostRows(hosts: HostView[]): Array<Record<string, unknown>> {
  return hosts.map((h) => ({
    name: h.name,
    hostname: h.hostname,
    platform: h.platform,
    site: h.data?.site ?? null,
    role: h.data?.role ?? null,
    groups: h.groups?.join(',') || null,
    credential: h.credential,
  }));
}
const HOST_COLUMNS = ['name', 'hostname', 'platform', 'site', 'role', 'groups', 'credential'];

export function registerInventory(program: Command): void {
  const inv = program
    .command('inventory')
    .alias('inv')
    .description('the device inventory in the appliance: list, show, add, remove, import (NetBox, YAML), preview filters');

  withExamples(
    inv
      .command('ls')
      .alias('list')
      .description('list devices with inheritance applied, optionally only those a filter selects')
      .option('--filter <expr>', "filter, e.g. 'site=dc1 and role=leaf', 'name=leaf*', 'tag=edge'")
      .option('--json', 'print JSON'),
    'netreflex inventory ls',
    "netreflex inventory ls --filter 'group=dc1 and not role=spine'",
  ).action((opts: { filter?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const page = await clientFor(cmd).listHosts(opts.filter);
      const hosts = page.items as HostView[];
      if (opts.json) printJson(hosts);
      else process.stdout.write(`${table(hostRows(hosts), HOST_COLUMNS)}\n`);
    }),
  );

  withExamples(
    inv.command('show <name>').description('one device: resolved fields and, under raw, what was written for it').option('--json', 'print JSON'),
    'netreflex inventory show dc1-leaf1',
  ).action((name: string, opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const host = (await clientFor(cmd).getHost(name)) as HostView;
      if (opts.json) return printJson(host);
      const { raw, ...resolved } = host;
      const lines = Object.entries(resolved).map(([k, v]) => `${`${k}:`.padEnd(18)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      process.stdout.write(`${lines.join('\n')}\n${raw ? `\nas written:\n${JSON.stringify(raw, null, 2)}\n` : ''}`);
    }),
  );

  withExamples(
    inv
      .command('add <name>')
      .description('add a device (admin); --replace changes an existing one')
      .option('--hostname <address>', 'management address (default: the name)')
      .option('--platform <platform>', 'frr, cisco_ios, arista_eos, juniper_junos, ...')
      .option('--port <n>', 'management port')
      .option('--username <user>', 'login user')
      .option('--credential <name>', 'NAME of a credential in the secret store (never a password)')
      .option('--group <group>', 'inventory group (repeatable)', collect)
      .option('--data <key=value>', 'a data field: site, role, tags, asn, ... (repeatable; [..] and {..} are JSON)', collect)
      .option('--replace', 'replace the device if it exists')
      .option('--json', 'print JSON'),
    'netreflex inventory add dc1-leaf3 --hostname 10.1.1.3 --platform frr --group dc1 --group leaves --data asn=65103',
    'netreflex inventory add edge1 --credential lab-frr --data \'tags=["edge"]\' --replace',
  ).action(
    (
      name: string,
      opts: {
        hostname?: string;
        platform?: string;
        port?: string;
        username?: string;
        credential?: string;
        group?: string[];
        data?: string[];
        replace?: boolean;
        json?: boolean;
      },
      cmd: Command,
    ) =>
      guarded(async () => {
        const port = opts.port === undefined ? undefined : Number(opts.port);
        if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
          throw new NrxError('NRX_ERR_USAGE', `--port '${opts.port}' is not a TCP port`);
        const fields: Record<string, unknown> = {
          ...(opts.hostname ? { hostname: opts.hostname } : {}),
          ...(opts.platform ? { platform: opts.platform } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(opts.username ? { username: opts.username } : {}),
          ...(opts.credential ? { credential: opts.credential } : {}),
          ...(opts.group?.length ? { groups: opts.group } : {}),
          ...(opts.data?.length ? { data: typedValues(parseKeyValues(opts.data)) } : {}),
        };
        const client = clientFor(cmd);
        const host = opts.replace ? await client.putHost(name, fields) : await client.addHost({ name, ...fields });
        if (opts.json) printJson(host);
        else process.stdout.write(`${opts.replace ? 'saved' : 'added'} ${name}\n`);
      }),
  );

  withExamples(inv.command('rm <name>').alias('remove').description('remove a device (admin)'), 'netreflex inventory rm dc1-leaf3').action(
    (name: string, _opts: unknown, cmd: Command) =>
      guarded(async () => {
        await clientFor(cmd).deleteHost(name);
        process.stdout.write(`removed ${name}\n`);
      }),
  );

  withExamples(
    inv
      .command('import [source]')
      .description(
        'import devices (admin): from NetBox (a saved /api/dcim/devices/ JSON file, or the URL of a NetBox API), or re-sync the whole inventory from a YAML folder with --yaml',
      )
      .option(
        '--yaml <dir>',
        'replace the stored inventory with hosts.yaml, groups.yaml, defaults.yaml from this folder (all or nothing; prints the hosts it removed)',
      )
      .option('--token <token>', 'NetBox API token (or NETBOX_TOKEN) when the source is a URL')
      .option('--json', 'print JSON'),
    'netreflex inventory import --yaml inventory/',
    'netreflex inventory import netbox-devices.json',
    'NETBOX_TOKEN=... netreflex inventory import https://netbox.example.net/api/dcim/devices/?site=dc1',
  ).action((source: string | undefined, opts: { yaml?: string; token?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      if (Boolean(source) === Boolean(opts.yaml)) throw new NrxError('NRX_ERR_USAGE', 'give either a NetBox source (file or URL) or --yaml DIR');
      const client = clientFor(cmd);
      let r: { hosts: number; groups: number; errors?: unknown[]; added?: string[]; removed?: string[] };
      // the appliance reads the folder itself, so the path must not depend on the CLI's cwd
      if (opts.yaml) r = await client.syncInventory({ dir: path.resolve(opts.yaml), direction: 'import' });
      else if (/^https?:\/\//i.test(source!)) {
        const token = opts.token ?? process.env.NETBOX_TOKEN;
        r = await client.importNetbox({ url: source!, ...(token ? { token } : {}) });
      } else r = await client.importNetbox({ json: readJsonFile(source!) });
      if (opts.json) printJson(r);
      else {
        process.stdout.write(`imported ${r.hosts} host(s), ${r.groups} group(s)${opts.yaml ? ` from ${path.resolve(opts.yaml)}` : ''}\n`);
        // --yaml replaces the stored inventory: say what that took away
        if (r.removed?.length) {
          process.stdout.write(`replaced the stored inventory: removed ${r.removed.length} host(s): ${listNames(r.removed)}\n`);
          if (r.added?.length) process.stdout.write(`added ${r.added.length} host(s): ${listNames(r.added)}\n`);
        }
        for (const e of r.errors ?? []) process.stderr.write(`warning: ${typeof e === 'string' ? e : JSON.stringify(e)}\n`);
      }
    }),
  );

  withExamples(
    inv
      .command('export <dir>')
      .description('write the stored inventory out as hosts.yaml, groups.yaml and defaults.yaml (admin; GitOps round trip)')
      .option('--json', 'print JSON'),
    'netreflex inventory export inventory/',
  ).action((dir: string, opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const r = await clientFor(cmd).syncInventory({ dir: path.resolve(dir), direction: 'export' });
      if (opts.json) printJson(r);
      else process.stdout.write(`wrote ${r.hosts} host(s), ${r.groups} group(s) to ${path.resolve(dir)}\n`);
    }),
  );

  withExamples(
    inv
      .command('preview [filter]')
      .description('which devices a filter selects (a syntax error names the position)')
      .option('--filter <expr>', 'the filter (or give it as the argument)')
      .option('--json', 'print JSON'),
    "netreflex inventory preview --filter 'site=dc1 and role=leaf'",
    "netreflex inventory preview 'data.asn>=65100, platform=frr'",
  ).action((arg: string | undefined, opts: { filter?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const expr = opts.filter ?? arg;
      if (expr === undefined) throw new NrxError('NRX_ERR_USAGE', "give a filter: --filter 'site=dc1 and role=leaf'");
      const r = (await clientFor(cmd).previewFilter(expr)) as { filter: string; count: number; names: string[]; items?: HostView[] };
      if (opts.json) printJson(r);
      else process.stdout.write(`${r.count} device(s) match '${r.filter}'\n${r.items ? table(hostRows(r.items), HOST_COLUMNS) : r.names.join('\n')}\n`);
    }),
  );
}

function listNames(names: string[]): string {
  return names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ');
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new NrxError('NRX_ERR_USAGE', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new NrxError('NRX_ERR_USAGE', `${file} is not JSON: ${(e as Error).message}`, { location: { file } });
  }
}
