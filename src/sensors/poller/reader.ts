import type { InventoryDevices } from '../../../drivers/access/device-resolver.js';
import { openSnmp, sshDriverFactory, type DriverFactory } from '../../../drivers/access/open.js';
import { withDevice } from '../../../drivers/access/with-device.js';
import type { RawReading } from './items.js';
import type { PollSource } from './source.js';

/** Reads one device; rejects with an NrxError when the infrastructure breaks (auth, timeout, no route). */
export type DeviceReader = (device: string, source: PollSource, signal: AbortSignal) => Promise<RawReading>;

/**
 * The real reader: getters over the device's CLI session (from the appliance's session pool, so
 * a poller every few seconds logs in once), SNMP through the inventory's SNMP settings.
 * Cancelling (stop, per-device timeout) closes the session for good, which ends what is in flight.
 */
export function inventoryReader(devices: Pick<InventoryDevices, 'cliResolver' | 'connection'>, factory: DriverFactory = sshDriverFactory): DeviceReader {
  const cli = devices.cliResolver();
  return async (device, source, signal) => {
    if (source.kind === 'getter') {
      const model = await withDevice(cli, factory, device, signal, (d) => d.get(source.getter));
      return { kind: 'getter', model };
    }
    const conn = await devices.connection(device);
    const client = openSnmp(conn);
    const onAbort = (): void => client.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (source.kind === 'snmp-get') return { kind: 'snmp-get', values: await client.get(source.objects.map((o) => o.oid)) };
      const walks = [];
      for (const root of source.roots) {
        // v1 agents know no GetBulk
        const values = conn.snmp!.credentials.version === 'v1' ? await client.walk(root.oid) : await client.bulkWalk(root.oid);
        walks.push({ root, values });
      }
      return { kind: 'snmp-walk', walks };
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.close();
    }
  };
}
