import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { fromText, type ConfigOption } from '../../datastore/pack-config-schema.js';
import type { ConfigEntry, ConfigView } from '../../datastore/pack-config-store.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { readHidden } from '../password-prompt.js';
import { clientFor, guarded } from '../remote.js';

/**
 * `netreflex pack config PACK [KEY=VALUE | KEY]...`: without assignments it shows the config;
 * `KEY=VALUE` sets an option; a bare `KEY` asks for the value without echo (or reads stdin),
 * which is how a secret stays out of the shell history and the process list.
 */
export function registerPackConfig(pack: Command): void {
  withExamples(
    pack
      .command('config <pack> [settings...]')
      .description("show or set a pack's config (config.schema.yaml); secrets are stored encrypted and print as ********")
      .option('--unset <key>', 'remove a value set here; the file (configs/<pack>.yaml) or the default applies again')
      .option('--json', 'print JSON'),
    'netreflex pack config ticket',
    'netreflex pack config ticket system=redmine url=https://redmine.example.net project=netops',
    'netreflex pack config ticket api_key            # asks for the value without echo',
    'netreflex pack config ticket --unset project',
  ).action((ref: string, settings: string[], opts: { unset?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const api = clientFor(cmd);
      const base = `/api/v1/configs/${encodeURIComponent(ref)}`;
      if (opts.unset) {
        await api.request('DELETE', `${base}/${encodeURIComponent(opts.unset)}`);
        if (!opts.json) process.stdout.write(`pack ${ref}: ${opts.unset} unset\n`);
      }
      const view = await api.request<ConfigView>('GET', base);
      const set: ConfigEntry[] = [];
      for (const s of settings) {
        const eq = s.indexOf('=');
        const key = eq < 0 ? s : s.slice(0, eq);
        if (!key) throw new NrxError('NRX_ERR_USAGE', `'${s}': write KEY=VALUE, or KEY alone to be asked for the value`);
        const option = view.options.find((o) => o.key === key);
        if (eq >= 0 && option?.secret)
          process.stderr.write(`note: ${key} is a secret; a value on the command line shows in shell history and ps: give the key alone to be asked for it\n`);
        const text = eq < 0 ? await readHidden(`${key} for pack ${ref}: `) : s.slice(eq + 1);
        const value = option ? fromText({ ...asOption(option) }, text) : text;
        set.push(await api.request<ConfigEntry>('PUT', `${base}/${encodeURIComponent(key)}`, { body: { value } }));
      }
      if (opts.json) return printJson(set.length ? set : view);
      for (const e of set) process.stdout.write(`pack ${ref}: ${e.key} set${e.secret ? ' (encrypted)' : ''}\n`);
      if (set.length || opts.unset) return;
      process.stdout.write(`${table(view.options.map(row), ['key', 'value', 'source', 'type', 'description'])}\n`);
      if (view.missing.length) process.stderr.write(`missing (required): ${view.missing.join(', ')}; the pack's actions fail until they are set\n`);
    }),
  );
}

function asOption(e: ConfigEntry): ConfigOption {
  return { key: e.key, type: e.type, required: e.required, secret: e.secret, default: undefined, enum: null, description: e.description };
}

function row(e: ConfigEntry): Record<string, unknown> {
  const value = e.value === null ? null : typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
  return { key: `${e.key}${e.required ? ' *' : ''}`, value, source: e.source, type: e.type, description: e.description };
}
