import type { Command } from 'commander';
import type { ApiKeyView } from '../../auth/auth-service.js';
import type { AuthService } from '../../auth/auth-service.js';
import { NrxError } from '../../core/errors.js';
import { apiKeysApi } from '../auth-client.js';
import type { DataOptions } from '../context.js';
import { grantOptions, grantsFrom, grantsText, roleFrom, type GrantFlags } from '../grant-options.js';
import { withExamples } from '../help.js';
import { auditOffline, authOf, withDataDir } from '../local-data.js';
import { printJson, table } from '../output.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';

const dataDirOption = (c: Command): Command => c.option('--data-dir <dir>', 'work offline on this data directory instead of the API');

/** A key named by its id or a unique start of it (as git takes commit ids). */
export function pickKey(keys: ApiKeyView[], wanted: string): ApiKeyView {
  const exact = keys.find((k) => k.id === wanted);
  if (exact) return exact;
  const matches = keys.filter((k) => k.id.startsWith(wanted) || k.prefix === wanted);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new NrxError('NRX_ERR_USAGE', `'${wanted}' starts ${matches.length} API key ids (${matches.map((k) => k.id).join(', ')}); give more of it`);
  throw new NrxError('NRX_ERR_NOT_FOUND', `no API key ${wanted} (netreflex apikey list shows them)`);
}

async function createLocal(auth: AuthService, userName: string, want: Parameters<AuthService['createApiKey']>[1]) {
  const owner = await auth.getUser(userName);
  if (!owner) throw new NrxError('NRX_ERR_NOT_FOUND', `no user '${userName}' (netreflex user list shows them)`);
  return auth.createApiKey({ user: owner.name, role: owner.role, grants: owner.grants }, want);
}

export function registerApiKey(program: Command): void {
  const apikey = program
    .command('apikey')
    .description('API keys for scripts and other systems (sent as the X-API-Key header): create, list, revoke')
    .addHelpText(
      'after',
      `
A key gets its user's role and grants unless narrowed (--role, --packs, --inventory); it is never
wider than its user. The key is printed once and kept only as a hash.
Through the API when a URL is configured (netreflex login); offline with --data-dir (or
NETREFLEX_DATA_DIR) and no URL, on the appliance's host.`,
    );

  withExamples(
    grantOptions(
      dataDirOption(
        apikey
          .command('create')
          .description('create an API key and print it once')
          .option('--user <name>', "whose key it is (admin; default: you, or 'admin' offline)")
          .option('--role <role>', "narrower role than the user's: operator or observer")
          .option('--description <text>', 'what the key is for (shown in apikey list)'),
      ),
    ).option('--json', 'print JSON (with the key)'),
    'ADMIN_KEY=$(netreflex apikey create --description "webhook setup" --json | jq -r .key)',
    'netreflex apikey create --role observer --description grafana',
    'netreflex apikey create --user ci --packs netops --data-dir /var/lib/netreflex',
  ).action((opts: DataOptions & GrantFlags & { user?: string; role?: string; description?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const grants = grantsFrom(opts);
      const want = {
        ...(opts.role ? { role: roleFrom(opts.role) } : {}),
        ...(grants ? { grants } : {}),
        ...(opts.description ? { description: opts.description } : {}),
      };
      const made = useDataDir(globalsOf(cmd))
        ? await withDataDir(opts, async ({ store }) => {
            const k = await createLocal(authOf(store), opts.user ?? 'admin', want);
            await auditOffline(store, 'apikey create', k.id, { user: k.user, role: k.role, grants: k.grants });
            return k;
          })
        : await apiKeysApi(clientFor(cmd)).create({ ...want, ...(opts.user ? { user: opts.user } : {}) });
      if (opts.json) return printJson(made);
      process.stdout.write(
        `API key ${made.id} for ${made.user} (${made.role}${Object.keys(made.grants).length ? `; ${grantsText(made.grants)}` : ''}):\n${made.key}\n` +
          'It is shown this once. Send it as the X-API-Key header, or: export NETREFLEX_API_KEY=<key>\n',
      );
    }),
  );

  withExamples(
    dataDirOption(
      apikey
        .command('list')
        .alias('ls')
        .description("list API keys (never the keys themselves): your own; an admin everybody's")
        .option('--user <name>', "only this user's keys (admin)"),
    ).option('--json', 'print JSON'),
    'netreflex apikey list',
  ).action((opts: DataOptions & { user?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const keys = useDataDir(globalsOf(cmd))
        ? await withDataDir(opts, ({ store }) => authOf(store).listApiKeys(opts.user))
        : (await apiKeysApi(clientFor(cmd)).list(opts.user)).items;
      if (opts.json) return printJson(keys);
      process.stdout.write(
        `${table(
          keys.map((k) => ({
            id: k.id,
            starts: k.prefix,
            user: k.user,
            role: k.role,
            grants: grantsText(k.grants),
            description: k.description,
            lastUsed: k.lastUsedAt,
          })),
          ['id', 'starts', 'user', 'role', 'grants', 'description', 'lastUsed'],
        )}\n`,
      );
    }),
  );

  withExamples(
    dataDirOption(
      apikey.command('revoke <id>').alias('rm').description('revoke an API key by its id, a unique start of it, or the start of the key apikey list shows'),
    ),
    'netreflex apikey revoke 01jd8k',
  ).action((id: string, opts: DataOptions, cmd: Command) =>
    guarded(async () => {
      let key: ApiKeyView;
      if (useDataDir(globalsOf(cmd)))
        key = await withDataDir(opts, async ({ store }) => {
          const auth = authOf(store);
          const k = pickKey(await auth.listApiKeys(), id);
          await auth.deleteApiKey(k.id);
          await auditOffline(store, 'apikey revoke', k.id, { user: k.user });
          return k;
        });
      else {
        const api = apiKeysApi(clientFor(cmd));
        key = pickKey((await api.list()).items, id);
        await api.revoke(key.id);
      }
      process.stdout.write(`API key ${key.id} (${key.prefix}..., ${key.user}) revoked\n`);
    }),
  );
}
