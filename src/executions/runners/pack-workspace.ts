import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../core/config.js';
import type { RunAs } from './run-as.js';

/** The Python side in the source tree: the host script and the st2common stand-in. */
const HOST_DIR = path.join(REPO_ROOT, 'src', 'executions', 'runners', 'python-host');
const HOST_SCRIPT = 'netreflex_action_host.py';

/**
 * Where an action's pack files (Python actions, local scripts) are read from. An appliance running as root runs actions as
 * an unprivileged user (NETREFLEX_RUNNER_USER), who cannot read the 0700 data directory, so
 * packs installed there, or a checkout under /root, would not load. For that user the host
 * script and each pack's actions/ and lib/ are copied into a private work folder of this
 * process: owned by root, readable by everyone, writable by nobody else; a pack is copied
 * again when its files change. Running as the appliance's own user, files are used in place.
 */
export class PackWorkspace {
  private root: string | null = null;
  private readonly copies = new Map<string, { stamp: string; dir: string }>();

  constructor(readonly runAs: RunAs | null) {}

  /** The host script to run. */
  hostScript(): string {
    if (!this.runAs) return path.join(HOST_DIR, HOST_SCRIPT);
    const host = path.join(this.workDir(), 'host');
    if (!existsSync(path.join(host, HOST_SCRIPT))) copyReadable(HOST_DIR, host);
    return path.join(host, HOST_SCRIPT);
  }

  /** The folder to load the pack's Python files from (the pack itself, or a readable copy). */
  packDir(pack: string, packDir: string): string {
    if (!this.runAs) return packDir;
    const parts = ['actions', 'lib'].filter((p) => existsSync(path.join(packDir, p)));
    const stamp = fingerprint(parts.map((p) => path.join(packDir, p)));
    const known = this.copies.get(pack);
    if (known?.stamp === stamp && existsSync(known.dir)) return known.dir;
    const dir = path.join(this.workDir(), 'packs', `${pack}-${stamp.slice(0, 16)}`);
    rmSync(dir, { recursive: true, force: true });
    for (const p of parts) copyReadable(path.join(packDir, p), path.join(dir, p));
    chmodSync(dir, 0o755);
    // An older copy may still serve a running execution; it goes with the work folder.
    this.copies.set(pack, { stamp, dir });
    return dir;
  }

  /** Where per-pack virtualenvs live when actions run as another user (null: the caller's choice). */
  venvRoot(): string | null {
    return this.runAs ? path.join(this.workDir(), 'virtualenvs') : null;
  }

  private workDir(): string {
    if (!this.root) {
      const dir = mkdtempSync(path.join(tmpdir(), 'netreflex-packs-'));
      chmodSync(dir, 0o755);
      mkdirSync(path.join(dir, 'packs'), { mode: 0o755 });
      this.root = dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    return this.root;
  }
}

/** Copy a tree with directories 0755 and files 0644 (0755 when executable); symlinks are followed. */
function copyReadable(from: string, to: string): void {
  cpSync(from, to, { recursive: true, dereference: true, filter: (src) => !src.includes(`${path.sep}__pycache__`) });
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      chmodSync(p, 0o755);
      for (const n of readdirSync(p)) walk(path.join(p, n));
    } else chmodSync(p, st.mode & 0o111 ? 0o755 : 0o644);
  };
  walk(to);
}

/** Names, sizes and modification times of every file under the folders. */
function fingerprint(dirs: string[]): string {
  const h = createHash('sha256');
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      if (path.basename(p) === '__pycache__') return;
      for (const n of readdirSync(p).sort()) walk(path.join(p, n));
    } else h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
  };
  for (const d of dirs) walk(d);
  return h.digest('hex');
}
