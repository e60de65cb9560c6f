/**
 * What every sensor counts, the same six numbers for syslog, traps and sFlow, so the metrics
 * endpoint can export them with one loop. Plain integers: incrementing must cost nothing on
 * the hot path (hundreds of thousands of messages a second).
 */
export const SENSOR_COUNTER_NAMES = ['received', 'decoded', 'normalised', 'unknown', 'malformed', 'dropped'] as const;
export type SensorCounterName = (typeof SENSOR_COUNTER_NAMES)[number];
export type SensorCounterSnapshot = Record<SensorCounterName, number>;

export class SensorCounters {
  /** Messages (datagrams, frames, lines) that reached the sensor. */
  received = 0;
  /** Messages the decoder understood. */
  decoded = 0;
  /** Decoded messages that became a specific trigger type (e.g. network.bgp_peer_state_changed). */
  normalised = 0;
  /** Decoded messages no normaliser recognised; published as the sensor's generic type, never dropped. */
  unknown = 0;
  /** Messages the decoder refused (bad header, truncated, oversized frame). */
  malformed = 0;
  /** Messages lost after decoding: the publish callback threw or the sensor was closing. */
  dropped = 0;

  /** @param sensor name used in metrics labels and logs, e.g. `syslog`. */
  constructor(readonly sensor: string) {}

  snapshot(): SensorCounterSnapshot {
    return {
      received: this.received,
      decoded: this.decoded,
      normalised: this.normalised,
      unknown: this.unknown,
      malformed: this.malformed,
      dropped: this.dropped,
    };
  }

  reset(): void {
    for (const name of SENSOR_COUNTER_NAMES) this[name] = 0;
  }
}
