/**
 * The inventory module's tables: hosts, groups and defaults in Nornir's shape. The store keeps
 * each entry as a name and the rest of its fields, and remembers the order they were written in
 * so an export reads like the source.
 */

/** A host or group as stored: its name and its other fields (the inventory module's model). */
export interface InventoryEntry {
  name: string;
}

export interface StoredInventory {
  hosts: InventoryEntry[];
  groups: InventoryEntry[];
  defaults: object;
}

export type InventoryChange =
  /** Everything goes; these take its place, in the order given. */
  | { op: 'replaceAll'; inventory: StoredInventory }
  /** An update keeps the entry's place; a new entry goes last. */
  | { op: 'putHost'; entry: InventoryEntry }
  | { op: 'putGroup'; entry: InventoryEntry }
  | { op: 'putDefaults'; defaults: object }
  | { op: 'deleteHost'; name: string }
  | { op: 'deleteGroup'; name: string };

export interface InventoryRepository {
  /**
   * The stored inventory, entries in the order they were written. Synchronous, and the same
   * object until the inventory changes: sensors consult it for every message. A backend answers
   * from memory and notices writes by other processes before answering (SQLite: its
   * data_version and a generation row; a database server: a change notification).
   */
  current(): StoredInventory;
  /** Applies the changes in order, all or none. Resolves to how many entries the deletes removed. */
  apply(changes: readonly InventoryChange[]): Promise<{ removed: number }>;
}
