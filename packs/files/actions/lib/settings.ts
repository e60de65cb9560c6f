import path from 'node:path';
import { NrxError } from '../../../../src/core/errors.js';
import { howToSet } from '../../../../src/datastore/pack-config-store.js';
import type { SshLogin } from '../../../../drivers/transports/ssh-login.js';
import type { HttpTarget } from './http-put.js';
import type { Retention } from './retention.js';

/** The files pack's config (config.schema.yaml), checked where it is used, each error naming the key. */

type Config = Record<string, unknown>;

const METHODS = ['none', 'sftp', 'http'] as const;
export type UploadMethod = (typeof METHODS)[number];

function group(config: Config, name: string): Config {
  const g = config[name];
  return typeof g === 'object' && g !== null && !Array.isArray(g) ? (g as Config) : {};
}

function bad(key: string, why: string): NrxError {
  return new NrxError('NRX_ERR_PACK_CONFIG_INVALID', `pack files: config value '${key}' ${why}`, { location: { field: key } });
}

function text(g: Config, prefix: string, key: string, required: boolean): string | undefined {
  const v = g[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw bad(`${prefix}.${key}`, 'is required for this upload but not set');
    return undefined;
  }
  if (typeof v !== 'string') throw bad(`${prefix}.${key}`, 'must be text');
  return v;
}

function whole(g: Config, prefix: string, key: string, fallback: number, max: number): number {
  const v = g[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw bad(`${prefix}.${key}`, `must be a whole number from 1 to ${max}`);
  return v;
}

export function uploadMethodOf(v: unknown): UploadMethod {
  const m = v === undefined || v === null || v === '' ? 'none' : v;
  if (!(METHODS as readonly unknown[]).includes(m))
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'upload' must be one of ${METHODS.join(', ')} (got ${JSON.stringify(m)})`, {
      location: { field: 'upload' },
    });
  return m as UploadMethod;
}

export function sftpTargetOf(config: Config, dataDir: string): { login: SshLogin; directory: string } {
  const g = group(config, 'sftp');
  const password = text(g, 'sftp', 'password', false);
  const privateKey = text(g, 'sftp', 'private_key', false);
  if (password === undefined && privateKey === undefined)
    throw new NrxError(
      'NRX_ERR_PACK_CONFIG_MISSING',
      `pack files: config value 'sftp.password' or 'sftp.private_key' is required for an SFTP upload; ${howToSet('files', 'sftp.password', true, dataDir)}`,
      { location: { field: 'sftp.password' } },
    );
  return {
    login: {
      host: text(g, 'sftp', 'host', true)!,
      port: whole(g, 'sftp', 'port', 22, 65535),
      username: text(g, 'sftp', 'username', true)!,
      ...(password !== undefined ? { password } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      // The server's key must already be known: an upload target is never trusted on first use.
      knownHostsFile: text(g, 'sftp', 'known_hosts', false) ?? path.join(dataDir, 'known_hosts'),
      hostKeyPolicy: 'strict',
      connectTimeoutMs: whole(g, 'sftp', 'timeout', 30, 3600) * 1000,
    },
    directory: text(g, 'sftp', 'directory', false) ?? '.',
  };
}

export function httpTargetOf(config: Config): HttpTarget {
  const g = group(config, 'http');
  const username = text(g, 'http', 'username', false);
  const password = text(g, 'http', 'password', false);
  const token = text(g, 'http', 'token', false);
  return {
    url: text(g, 'http', 'url', true)!,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(token !== undefined ? { token } : {}),
    timeoutSeconds: whole(g, 'http', 'timeout', 60, 3600),
  };
}

export function retentionOf(config: Config): Retention {
  const g = group(config, 'retention');
  return { days: whole(g, 'retention', 'days', 14, 36500), maxBundles: whole(g, 'retention', 'max_bundles', 50, 100000) };
}
