/** What a webhook decoder produces: one event to emit, before it gets an id and envelope. */
export interface DecodedEvent {
  /** Trigger type, e.g. `openstack.network_created`. */
  type: string;
  payload: Record<string, unknown>;
  /** True for a specific type; false for the catch-all of its kind (`openstack.notification`). */
  normalised: boolean;
}
