import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** How long bundles are kept under the data directory: at most `days` old and `maxBundles` of them, newest kept. */
export interface Retention {
  days: number;
  maxBundles: number;
}

/** Remove bundles past the retention (and .partial files a crash left behind); returns the names removed. */
export function pruneBundles(dir: string, keep: Retention, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const bundles = names
    .filter((n) => n.endsWith('.tar.gz') || n.endsWith('.tar.gz.partial'))
    .map((n) => ({ name: n, mtime: statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  const oldest = now - keep.days * 86_400_000;
  const removed: string[] = [];
  let kept = 0;
  for (const b of bundles) {
    const stale = b.name.endsWith('.partial') ? b.mtime < now - 3_600_000 : b.mtime < oldest || kept >= keep.maxBundles;
    if (!stale) {
      if (!b.name.endsWith('.partial')) kept++;
      continue;
    }
    rmSync(path.join(dir, b.name), { force: true });
    removed.push(b.name);
  }
  return removed;
}
