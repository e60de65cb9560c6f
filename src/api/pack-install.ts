import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { loadPacks } from '../packs/pack-loader.js';

export interface PackInstallReport {
  ref: string;
  path: string;
  actions: number;
  rules: number;
  replaced: boolean;
  warnings: string[];
}

const GIT_URL = /^(https?:\/\/|ssh:\/\/|git:\/\/|file:\/\/|git@[^:]+:)/;
const CLONE_TIMEOUT_MS = 120_000;

export function isGitSource(source: string): boolean {
  return GIT_URL.test(source);
}

function gitClone(url: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // `--` ends options: a URL can never become a git flag. Protocols are pinned (no ext::).
    execFile(
      'git',
      ['clone', '--depth', '1', '--quiet', '--', url, into],
      { timeout: CLONE_TIMEOUT_MS, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file' } },
      (err, _stdout, stderr) => (err ? reject(new NrxError('NRX_ERR_PACK_INSTALL', `git clone ${url} failed: ${(stderr || err.message).trim().split('\n').pop()}`)) : resolve()),
    );
  });
}

/**
 * Install a pack from a local folder (copied) or a git URL (`git clone --depth 1`) into
 * `<packsDir>/<ref>`. The copy is staged beside the target and validated with the pack
 * loader first; a pack with errors is not installed unless `force`, and nothing half-copied
 * is ever left in place.
 */
export async function installPack(source: string, packsDir: string, opts: { force?: boolean } = {}): Promise<PackInstallReport> {
  mkdirSync(packsDir, { recursive: true, mode: 0o755 });
  const staging = path.join(packsDir, `.staging-${newId()}`);
  try {
    if (isGitSource(source)) {
      await gitClone(source, staging);
      rmSync(path.join(staging, '.git'), { recursive: true, force: true });
    } else {
      const from = path.resolve(source);
      if (!existsSync(from) || !statSync(from).isDirectory()) throw new NrxError('NRX_ERR_PACK_INSTALL', `pack source ${from} is not a folder (give a local pack folder or a git URL)`);
      cpSync(from, staging, { recursive: true, filter: (f) => path.basename(f) !== '.git' });
    }
    if (!existsSync(path.join(staging, 'pack.yaml'))) throw new NrxError('NRX_ERR_PACK_INSTALL', `${source} has no pack.yaml at its top: not a pack`);
    const loaded = loadPacks([staging]);
    const pack = loaded.packs[0];
    if (!pack || loaded.errors.length > 0) {
      const errors = loaded.errors.map((e) => ({ code: e.code, message: e.message, ...e.location }));
      if (!pack || !opts.force) {
        throw new NrxError('NRX_ERR_PACK_INSTALL', `pack from ${source} does not load (${errors.length} error(s)): ${errors[0]?.message ?? 'no pack found'}${pack ? '; fix it or install with force' : ''}`, { details: { errors } });
      }
    }
    const target = path.join(packsDir, pack.ref);
    const replaced = existsSync(target);
    if (replaced) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return {
      ref: pack.ref,
      path: target,
      actions: loaded.actions.size,
      rules: loaded.ruleSources.length,
      replaced,
      warnings: [...loaded.warnings, ...loaded.errors.map((e) => e.message)],
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Remove a pack installed under packsDir; packs elsewhere (shipped, NETREFLEX_PACKS_PATH) are not ours to delete. */
export function removeInstalledPack(ref: string, packsDir: string): boolean {
  if (!/^[a-z0-9_]+$/.test(ref)) return false;
  const target = path.join(packsDir, ref);
  if (!existsSync(path.join(target, 'pack.yaml'))) return false;
  rmSync(target, { recursive: true, force: true });
  return true;
}
