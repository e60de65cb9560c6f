import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { WEBHOOK_AUTH_MODES, type WebhookAuthMode } from '../../sensors/webhook/caller-auth.js';
import { WEBHOOK_KINDS, type WebhookKind } from '../../sensors/webhook/decode.js';
import { WebhookDefinitions } from '../../sensors/webhook/definitions.js';
import { webhooksApi, type WebhookView } from '../auth-client.js';
import type { DataOptions } from '../context.js';
import { withExamples } from '../help.js';
import { auditOffline, kvOf, withDataDir } from '../local-data.js';
import { printJson, table } from '../output.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';

const dataDirOption = (c: Command): Command => c.option('--data-dir <dir>', 'work offline on this data directory instead of the API');
const urlOf = (name: string): string => `/api/v1/webhooks/${name}`;
const headerOf = (auth: string): string => (auth === 'token' ? 'X-Netreflex-Token' : 'X-Netreflex-Signature');

function oneOf<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new NrxError('NRX_ERR_USAGE', `${flag} '${v}': use one of ${allowed.join(', ')}`);
  return v as T;
}

export function registerWebhook(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('webhooks other systems POST to (NetBox, Alertmanager, OpenStack Neutron, anything JSON): create, list, rm')
    .addHelpText(
      'after',
      `
Each webhook has its own secret (a token, or an HMAC key), printed once at create. Through the
API when a URL is configured (netreflex login, as an admin); offline with --data-dir (or
NETREFLEX_DATA_DIR) and no URL, on the appliance's host.`,
    );

  withExamples(
    dataDirOption(
      webhook
        .command('create <name>')
        .description('create a webhook at /api/v1/webhooks/<name> and print its secret once')
        .option('--kind <kind>', `what it receives: ${WEBHOOK_KINDS.join(', ')}`, 'generic')
        .option('--auth <mode>', 'token (X-Netreflex-Token or Authorization: Bearer) or hmac (X-Netreflex-Signature: sha256=<hex>)', 'token'),
    ).option('--json', 'print JSON (with the secret)'),
    'netreflex webhook create netbox',
    'netreflex webhook create neutron --kind neutron --auth hmac',
    'netreflex webhook create alerts --kind alertmanager',
  ).action((name: string, opts: DataOptions & { kind: string; auth: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const kind = oneOf<WebhookKind>(opts.kind, WEBHOOK_KINDS, '--kind');
      const auth = oneOf<WebhookAuthMode>(opts.auth, WEBHOOK_AUTH_MODES, '--auth');
      const g = globalsOf(cmd);
      let made: WebhookView & { secret: string; header: string };
      if (useDataDir(g))
        made = await withDataDir(opts, async ({ dataDir, store }) => {
          const { definition, secret } = await new WebhookDefinitions(kvOf(dataDir, store)).create({ name, kind, auth, createdBy: 'cli' });
          await auditOffline(store, 'webhook create', name, { kind, auth });
          return { ...definition, url: urlOf(name), secret, header: headerOf(auth) };
        });
      else made = await webhooksApi(clientFor(cmd)).create({ name, kind, auth });
      if (opts.json) return printJson(made);
      const base = useDataDir(g) ? '' : clientFor(cmd).config.url;
      process.stdout.write(
        `webhook ${made.name} (${made.kind}, auth ${made.auth}): POST ${base}${made.url}\n` +
          `${made.header}${made.auth === 'hmac' ? ' = sha256=<hex HMAC-SHA256 of the body, keyed with>' : ':'} ${made.secret}\n` +
          'The secret is shown this once; it is stored encrypted.\n',
      );
    }),
  );

  withExamples(
    dataDirOption(webhook.command('list').alias('ls').description('list the webhooks: name, kind, auth mode, URL (never the secrets)')).option(
      '--json',
      'print JSON',
    ),
    'netreflex webhook list',
  ).action((opts: DataOptions & { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const hooks: WebhookView[] = useDataDir(globalsOf(cmd))
        ? await withDataDir(opts, async ({ dataDir, store }) =>
            (await new WebhookDefinitions(kvOf(dataDir, store)).list()).map((d) => ({ ...d, url: urlOf(d.name) })),
          )
        : (await webhooksApi(clientFor(cmd)).list()).items;
      if (opts.json) return printJson(hooks);
      process.stdout.write(`${table(hooks as unknown as Array<Record<string, unknown>>, ['name', 'kind', 'auth', 'url', 'createdAt', 'createdBy'])}\n`);
    }),
  );

  withExamples(
    dataDirOption(webhook.command('rm <name>').alias('delete').description('delete a webhook and its secret; callers then get 404')),
    'netreflex webhook rm netbox',
  ).action((name: string, opts: DataOptions, cmd: Command) =>
    guarded(async () => {
      if (useDataDir(globalsOf(cmd)))
        await withDataDir(opts, async ({ dataDir, store }) => {
          if (!(await new WebhookDefinitions(kvOf(dataDir, store)).delete(name))) throw new NrxError('NRX_ERR_NOT_FOUND', `no webhook '${name}'`);
          await auditOffline(store, 'webhook rm', name);
        });
      else await webhooksApi(clientFor(cmd)).remove(name);
      process.stdout.write(`webhook ${name} deleted with its secret\n`);
    }),
  );
}
