import type { PlatformNormaliser } from './common.js';
import { frr } from './frr.js';

/**
 * A Linux switch with FRR (drivers/platforms/linux_frr: Cumulus-like): its routing messages are
 * FRR's own (bgpd, zebra...), so FRR's table reads them; the name is the inventory's.
 */
export const linuxFrr: PlatformNormaliser = { platform: 'linux_frr', normalise: (msg) => frr.normalise(msg) };
