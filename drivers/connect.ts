import type { Driver } from './contract/cli.js';
import { CliDriver } from './cli-driver.js';
import { requirePlatform } from './platforms/registry.js';
import { SshCliSession, type SshCliOptions } from './transports/ssh-cli.js';

/** Everything needed to reach one device over SSH; the platform by its inventory name. */
export type DeviceConnection = Omit<SshCliOptions, 'platform'> & { platform: string };

/** A driver for the device (not yet connected: call connect(), or let the first command do it). */
export function cliDriver(conn: DeviceConnection): Driver {
  const platform = requirePlatform(conn.platform);
  return new CliDriver(conn.device, platform, () => SshCliSession.open({ ...conn, platform }));
}
