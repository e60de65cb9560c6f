import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolvePacksPaths } from '../core/config.js';
import { NrxError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { loadPacks } from '../packs/pack-loader.js';
import { unsafeLinks } from '../packs/pack-paths.js';
import { samePackElsewhere } from '../packs/pack-shadowing.js';

export interface PackInstallReport {
  ref: string;
  path: string;
  actions: number;
  rules: number;
  replaced: boolean;
  /** Folders of packs with the same ref elsewhere (shipped, NETREFLEX_PACKS_PATH): installed over them with force. */
  shadows: string[];
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
      (err, _stdout, stderr) =>
        err ? reject(new NrxError('NRX_ERR_PACK_INSTALL', `git clone ${url} failed: ${(stderr || err.message).trim().split('\n').pop()}`)) : resolve(),
    );
  });
}

/** Symlinks that would let the installed pack reach outside itself are refused, force or not. */
function refuseUnsafeLinks(dir: string, source: string): void {
  const bad = unsafeLinks(dir);
  if (bad.length === 0) return;
  const first = bad[0]!;
  throw new NrxError(
    'NRX_ERR_PACK_INSTALL',
    `pack from ${source} has ${bad.length} symlink(s) that cannot be installed: ${first.link} -> ${first.target} ${first.why}`,
    {
      details: { errors: bad.map((b) => ({ code: 'NRX_ERR_PACK_INSTALL', message: `${b.link} -> ${b.target} ${b.why}`, file: b.link })) },
    },
  );
}

/**
 * Install a pack from a local folder (copied) or a git URL (`git clone --depth 1`) into
 * `<packsDir>/<ref>`. The copy is staged beside the target and validated with the pack
 * loader first; a pack with errors is not installed unless `force`, and nothing half-copied
 * is ever left in place. A pack whose ref is already taken by a pack in another base path
 * (`packsPaths`: the shipped `core`, NETREFLEX_PACKS_PATH) would replace or be hidden by
 * it: refused unless `force`. Symlinks leading out of the pack are always refused.
 */
export async function installPack(
  source: string,
  packsDir: string,
  opts: { force?: boolean; packsPaths?: readonly string[] } = {},
): Promise<PackInstallReport> {
  mkdirSync(packsDir, { recursive: true, mode: 0o755 });
  const staging = path.join(packsDir, `.staging-${newId()}`);
  try {
    if (isGitSource(source)) {
      await gitClone(source, staging);
      rmSync(path.join(staging, '.git'), { recursive: true, force: true });
      refuseUnsafeLinks(staging, source);
    } else {
      const from = path.resolve(source);
      if (!existsSync(from) || !statSync(from).isDirectory())
        throw new NrxError('NRX_ERR_PACK_INSTALL', `pack source ${from} is not a folder (give a local pack folder or a git URL)`);
      refuseUnsafeLinks(from, source);
      // links are copied as written: all are relative and stay inside the pack (checked above)
      cpSync(from, staging, { recursive: true, verbatimSymlinks: true, filter: (f) => path.basename(f) !== '.git' });
    }
    if (!existsSync(path.join(staging, 'pack.yaml'))) throw new NrxError('NRX_ERR_PACK_INSTALL', `${source} has no pack.yaml at its top: not a pack`);
    const loaded = loadPacks([staging]);
    const pack = loaded.packs[0];
    if (!pack || loaded.errors.length > 0) {
      const errors = loaded.errors.map((e) => ({ code: e.code, message: e.message, ...e.location }));
      if (!pack || !opts.force) {
        throw new NrxError(
          'NRX_ERR_PACK_INSTALL',
          `pack from ${source} does not load (${errors.length} error(s)): ${errors[0]?.message ?? 'no pack found'}${pack ? '; fix it or install with force' : ''}`,
          { details: { errors } },
        );
      }
    }
    const shadowWarnings: string[] = [];
    const elsewhere = samePackElsewhere(pack.ref, opts.packsPaths ?? resolvePacksPaths(), packsDir);
    if (elsewhere.length > 0) {
      const where = elsewhere.map((e) => e.path).join(', ');
      if (!opts.force) {
        throw new NrxError(
          'NRX_ERR_CONFLICT',
          `pack '${pack.ref}' from ${source} has the ref of the pack in ${where}; installing it would ${elsewhere.some((e) => e.winsOverInstalled) ? 'be ignored, as that pack comes first' : 'replace that pack for every rule and workflow that uses it'}. Give it another ref in pack.yaml, or install with force to do it anyway`,
          {
            details: { ref: pack.ref, shadows: elsewhere.map((e) => e.path) },
          },
        );
      }
      for (const e of elsewhere) {
        shadowWarnings.push(
          e.winsOverInstalled
            ? `pack '${pack.ref}' at ${e.path} comes first: the installed copy is ignored until it is removed`
            : `pack '${pack.ref}' now replaces the pack at ${e.path} (installed with force)`,
        );
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
      shadows: elsewhere.map((e) => e.path),
      warnings: [...shadowWarnings, ...loaded.warnings, ...loaded.errors.map((e) => e.message)],
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
