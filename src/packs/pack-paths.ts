import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * A pack is a folder, and everything it loads must be inside that folder: a symlink or an
 * entry_point that leads out of it (`actions/x.yaml -> /etc/...`, `entry_point: ../../other`)
 * would let a pack read or run files its author does not ship. Paths are compared after
 * resolving every symlink, so a link anywhere on the way counts.
 */

function real(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * Where `file` really is when it lies outside the pack at `packDir` (a symlink target, or a
 * path that climbs out); null when it is inside. A file that does not resolve (dangling link)
 * is reported as outside with its link text, since it cannot be shown to be inside.
 */
export function outsidePack(packDir: string, file: string): string | null {
  const root = real(packDir) ?? path.resolve(packDir);
  const target = real(file);
  if (target === null) {
    const lexical = path.resolve(file);
    if (!within(path.resolve(packDir), lexical)) return lexical;
    try {
      return `${lexical} -> ${readlinkSync(lexical)} (does not resolve)`;
    } catch {
      return null; // missing, not a link: the caller's "does not exist" check says so
    }
  }
  return within(root, target) ? null : target;
}

export interface PackLink {
  /** The link, relative to the pack folder. */
  link: string;
  /** What it points to, as written. */
  target: string;
  why: string;
}

/**
 * Symlinks in a pack folder that a copy must not carry: absolute ones (they would point back
 * at the source, not into the installed copy), ones that resolve outside the folder, dangling
 * ones and folder links that loop. `.git` is skipped (it is never installed).
 */
export function unsafeLinks(packDir: string): PackLink[] {
  const root = real(packDir) ?? path.resolve(packDir);
  const out: PackLink[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name === '.git') continue;
      const full = path.join(dir, name);
      const st = lstatSync(full);
      const rel = path.relative(root, full);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(full);
        const resolved = real(full);
        if (path.isAbsolute(target)) out.push({ link: rel, target, why: 'is absolute; a pack may only link inside itself, relatively' });
        else if (resolved === null) out.push({ link: rel, target, why: 'does not resolve' });
        else if (!within(root, resolved)) out.push({ link: rel, target, why: `leads out of the pack to ${resolved}` });
        else if (within(resolved, full)) out.push({ link: rel, target, why: 'loops back to a folder that contains it' });
      } else if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}
