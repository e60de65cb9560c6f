import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { sftpPut } from '../../../drivers/transports/sftp-put.js';
import { NrxError } from '../../../src/core/errors.js';
import type { PackActionContext } from '../../../src/executions/runners/module-services.js';
import { sha256 } from './lib/bundle.js';
import { httpPut } from './lib/http-put.js';
import { httpTargetOf, sftpTargetOf, uploadMethodOf } from './lib/settings.js';

export interface UploadResult {
  uploaded: boolean;
  /** The upload's URL, or the file on the appliance when nothing was uploaded. */
  location: string;
  method: 'none' | 'sftp' | 'http';
  size: number;
  sha256: string;
  note?: string;
}

/** A bundle under <data-dir>/bundles to the configured target. */
export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<UploadResult> {
  const file = bundleFile(params.path, ctx.services.dataDir);
  const method = uploadMethodOf(params.upload ?? ctx.config.upload);
  const data = readFileSync(file);
  const base = { size: data.length, sha256: sha256(data) };
  const name = path.basename(file);
  if (method === 'none') {
    const note = `not uploaded: the files pack's upload is none (netreflex pack config files upload=sftp and sftp.*); the bundle stays at ${file}`;
    ctx.log(note);
    return { uploaded: false, location: file, method, ...base, note };
  }
  if (method === 'sftp') {
    ctx.requireConfig('sftp.host', 'sftp.username');
    const sftp = sftpTargetOf(ctx.config, ctx.services.dataDir);
    const remotePath = path.posix.join(sftp.directory, name);
    await sftpPut({ ...sftp.login, remotePath, data, signal: ctx.signal });
    const host = sftp.login.host.includes(':') ? `[${sftp.login.host}]` : sftp.login.host;
    const location = `sftp://${sftp.login.username}@${host}:${sftp.login.port}/${remotePath.replace(/^\/+/, '')}`;
    ctx.log(`uploaded to ${location}`);
    return { uploaded: true, location, method, ...base };
  }
  ctx.requireConfig('http.url');
  const location = (await httpPut(httpTargetOf(ctx.config), name, data, base.sha256, ctx.signal)).location;
  ctx.log(`uploaded to ${location}`);
  return { uploaded: true, location, method, ...base };
}

/** Only a bundle of this appliance's may leave it: a regular file under <data-dir>/bundles. */
function bundleFile(v: unknown, dataDir: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new NrxError('NRX_ERR_PARAM_INVALID', "parameter 'path' must name a bundle file", { location: { field: 'path' } });
  const dir = path.join(dataDir, 'bundles');
  let real: string;
  try {
    real = realpathSync(path.resolve(dir, v));
  } catch {
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'path': no bundle ${v}`, { location: { field: 'path' } });
  }
  const realDir = (() => {
    try {
      return realpathSync(dir);
    } catch {
      return dir;
    }
  })();
  if (path.dirname(real) !== realDir || !statSync(real).isFile())
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'path': ${v} is not a bundle under ${dir}`, { location: { field: 'path' } });
  return real;
}
