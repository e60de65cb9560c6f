/**
 * What the device layer needs from the rest of the appliance, in its own words, so drivers/
 * never imports the inventory or the datastore: the inventory service and the credential store
 * fit these as they are.
 */

/** One device as the inventory describes it, with inheritance from groups and defaults applied. */
export interface DeviceRecord {
  name: string;
  /** Where to connect. */
  hostname: string;
  platform: string | null;
  port: number | null;
  username: string | null;
  /** The name of the credential in the secret store (never the secret itself). */
  credential: string | null;
  /** Nornir's per-connection overrides: `ssh`, `netconf`, `snmp`. */
  connectionOptions: Record<string, unknown>;
}

/** Devices by inventory name, and the names an inventory filter selects (fan-out). */
export interface DeviceDirectory {
  getHost(name: string): Promise<DeviceRecord | null>;
  listHosts(filter?: string): Promise<Array<{ name: string }>>;
}

/** A stored login: the field names are the secret store's. */
export interface StoredCredential {
  username: string;
  password?: string;
  private_key?: string;
  passphrase?: string;
}

/** Secrets by credential name, decrypted; null when there is no such credential. */
export interface CredentialSource {
  get(name: string): Promise<StoredCredential | null>;
}
