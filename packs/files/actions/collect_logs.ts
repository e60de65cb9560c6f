import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sftpPut } from '../../../drivers/transports/sftp-put.js';
import { NrxError } from '../../../src/core/errors.js';
import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { collectOutputs, writeBundle, type Bundle, type DeviceError } from './lib/bundle.js';
import { httpPut } from './lib/http-put.js';
import { pruneBundles } from './lib/retention.js';
import { retentionOf, sftpTargetOf, httpTargetOf, uploadMethodOf } from './lib/settings.js';

export interface CollectResult {
  /** Where the bundle went: the upload's URL, or the file under the data directory when not uploaded. */
  location: string;
  size: number;
  sha256: string;
  bundle: { name: string; path: string; created_at: string };
  upload: { method: 'sftp' | 'http'; location: string } | null;
  devices: { ok: string[]; failed: DeviceError[] };
  index: Bundle['index']['entries'];
  /** Older bundles removed by the retention. */
  pruned: string[];
}

/** Show-command outputs from devices into one bundle, kept under the data directory and uploaded. */
export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<CollectResult> {
  const commands = listParam(params.commands, 'commands');
  const devices = await devicesOf(params, ctx);
  const label = typeof params.label === 'string' && params.label.trim() !== '' ? params.label.trim() : null;
  const method = uploadMethodOf(params.upload ?? ctx.config.upload);
  const concurrency = typeof params.concurrency === 'number' && params.concurrency > 0 ? Math.floor(params.concurrency) : 10;
  const timeoutMs = typeof params.command_timeout === 'number' && params.command_timeout > 0 ? params.command_timeout * 1000 : undefined;
  // Check the upload settings before a minute of collection, not after.
  if (method === 'sftp') ctx.requireConfig('sftp.host', 'sftp.username');
  if (method === 'http') ctx.requireConfig('http.url');
  const sftp = method === 'sftp' ? sftpTargetOf(ctx.config, ctx.services.dataDir) : null;
  const http = method === 'http' ? httpTargetOf(ctx.config) : null;

  const collected = await collectOutputs(ctx.services.devices, devices, commands, {
    concurrency,
    signal: ctx.signal,
    log: (l) => ctx.log(l),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  if (collected.entries.length === 0)
    throw new NrxError(
      (collected.errors[0]?.code as 'NRX_ERR_DEVICE_UNREACHABLE' | undefined) ?? 'NRX_ERR_DEVICE_UNREACHABLE',
      `no output collected: ${collected.errors.map((e) => `${e.device}: ${e.message}`).join('; ')}`,
    );
  const dir = path.join(ctx.services.dataDir, 'bundles');
  const bundle = writeBundle(dir, label, commands, collected);
  ctx.log(`bundle ${bundle.path}: ${bundle.size} bytes, sha256 ${bundle.sha256}`);
  const pruned = pruneBundles(dir, retentionOf(ctx.config)).filter((n) => n !== bundle.name);
  if (pruned.length) ctx.log(`retention removed ${pruned.length} older bundles`);

  let upload: CollectResult['upload'] = null;
  const data = method === 'none' ? null : readFileSync(bundle.path);
  if (sftp && data) {
    const remotePath = path.posix.join(sftp.directory, bundle.name);
    await sftpPut({ ...sftp.login, remotePath, data, signal: ctx.signal });
    upload = { method: 'sftp', location: `sftp://${sftp.login.username}@${hostPart(sftp.login.host)}:${sftp.login.port}/${remotePath.replace(/^\/+/, '')}` };
  } else if (http && data) {
    upload = { method: 'http', location: (await httpPut(http, bundle.name, data, bundle.sha256, ctx.signal)).location };
  }
  if (upload) ctx.log(`uploaded to ${upload.location}`);

  const failed = collected.errors;
  const failedNames = new Set(failed.map((f) => f.device));
  return {
    location: upload?.location ?? bundle.path,
    size: bundle.size,
    sha256: bundle.sha256,
    bundle: { name: bundle.name, path: bundle.path, created_at: bundle.index.created_at },
    upload,
    devices: { ok: devices.filter((d) => !failedNames.has(d)), failed },
    index: bundle.index.entries,
    pruned,
  };
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function devicesOf(params: Record<string, unknown>, ctx: PackActionContext): Promise<string[]> {
  const on = typeof params.on === 'string' && params.on.trim() !== '' ? params.on : null;
  const listed = params.devices === undefined || params.devices === null ? [] : listParam(params.devices, 'devices');
  if (on && listed.length) throw new NrxError('NRX_ERR_PARAM_INVALID', "give either 'devices' or 'on', not both", { location: { field: 'on' } });
  if (!on && !listed.length)
    throw new NrxError('NRX_ERR_PARAM_INVALID', "parameter 'devices' (inventory names) or 'on' (an inventory filter) is required", {
      location: { field: 'devices' },
    });
  if (listed.length) return [...new Set(listed)];
  const selected = await ctx.services.devices.select(on!);
  if (!selected.length) throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no inventory device matches on=${JSON.stringify(on)}`, { location: { field: 'on' } });
  return selected;
}

/** A list parameter; a string counts as one item per line (a rule rendering a template gives text). */
function listParam(v: unknown, field: string): string[] {
  const items = typeof v === 'string' ? v.split('\n') : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  const clean = items?.map((s) => s.trim()).filter((s) => s !== '');
  if (!clean?.length) throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter '${field}' must be a non-empty list of strings`, { location: { field } });
  return clean;
}
