/**
 * The ping a router's CLI ends by itself, per platform. IOS, IOS-XR, NX-OS and EOS send 5 echoes
 * and return; Junos pings until interrupted unless given a count. FRR's vtysh `ping WORD` runs the
 * host's ping with no count, in the vtysh process's own network namespace (for a router in a
 * namespace reached over SSH, as in the lab, not the router's), so none is sent there: the bundle
 * says why instead.
 */
export const PING_BY_PLATFORM: Record<string, string | null> = {
  frr: null,
  juniper_junos: 'ping {peer} count 5 rapid',
};
export const DEFAULT_PING = 'ping {peer}';

export const NO_PING_REASON: Record<string, string> = {
  frr: "not sent: FRR's vtysh ping runs the host's ping without a count (it never returns) and outside the router's network namespace",
};

/** Platforms whose ping differs from the default, for an inventory filter per platform. */
export const SPECIAL_PING_PLATFORMS = Object.keys(PING_BY_PLATFORM);
