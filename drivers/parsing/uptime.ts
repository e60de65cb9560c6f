/**
 * Uptime as `show version` prints it, in seconds: `2 years, 31 weeks, 6 days, 9 hours, 55
 * minutes` (IOS, IOS-XR), `123 day(s), 5 hour(s), 15 minute(s), 19 second(s)` (NX-OS),
 * `1 hour and 5 minutes` (EOS). A year is 365 days, as NAPALM counts it. Null when no unit is
 * found, so a facts model leaves uptime out rather than claiming zero.
 */
const UNIT_SECONDS: Record<string, number> = {
  year: 365 * 86400,
  week: 7 * 86400,
  day: 86400,
  hour: 3600,
  minute: 60,
  second: 1,
};

export function uptimeSeconds(text: string): number | null {
  let total = 0;
  let seen = false;
  for (const m of text.matchAll(/(\d+)\s*(year|week|day|hour|minute|second)(?:s|\(s\))?\b/gi)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]!.toLowerCase()]!;
    seen = true;
  }
  return seen ? total : null;
}
