import { filterHosts, parseFilter } from './filter.js';
import { loadInventoryDir } from './loader.js';
import type { ResolvedHost } from './model.js';
import { resolveHost } from './resolve.js';

/**
 * A YAML inventory folder read into memory and never stored: `exec --inventory DIR` works on
 * these devices for one run, and the data directory's inventory stays as it was (importing is
 * `inventory import --yaml DIR`). Throws the first problem found, naming file and line.
 */
export class YamlInventory {
  private readonly hosts: Map<string, ResolvedHost>;

  constructor(readonly dir: string) {
    const loaded = loadInventoryDir(dir);
    if (loaded.errors.length) throw loaded.errors[0]!;
    const groups = new Map(loaded.groups.map((g) => [g.name, g]));
    this.hosts = new Map(loaded.hosts.map((h) => [h.name, resolveHost(h, groups, loaded.defaults)]));
  }

  async listHosts(filter?: string): Promise<ResolvedHost[]> {
    return filterHosts([...this.hosts.values()], filter === undefined ? undefined : parseFilter(filter));
  }

  async getHost(name: string): Promise<ResolvedHost | null> {
    return this.hosts.get(name) ?? null;
  }
}
