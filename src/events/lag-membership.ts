import type { EventEnvelope } from './envelope.js';

/** The LAG a device's port belongs to, per the inventory (its name and minimum links); null when it belongs to none. */
export type LagOf = (device: string, port: string) => { name: string; minLinks: number } | null;

const TO_MEMBER: Readonly<Record<string, string>> = {
  'network.interface_down': 'network.lag_member_down',
  'network.interface_up': 'network.lag_member_up',
};

/**
 * One failure, one trigger: a linkDown trap and an sFlow counter sample know only that an
 * interface went down, while syslog may say the member left its bond. When the inventory says
 * the interface is a LAG member, the interface event becomes the member event (`lag`, `member`,
 * `min_links`, and `interface_event` naming what the sensor reported), so every sensor's view of a member
 * failure reaches the rules as network.lag_member_down. A member event gets the LAG's inventory
 * name when the sensor could not name it (OVS syslog) or named it its own way (an sFlow ifIndex).
 * The id, time, source, device and trace id are kept. Anything else passes unchanged.
 */
export function promoteLagMember(event: EventEnvelope, lagOf: LagOf): EventEnvelope {
  if (event.device === null) return event;
  const memberType = TO_MEMBER[event.type];
  if (memberType) {
    const iface = event.payload.interface;
    if (typeof iface !== 'string') return event;
    const lag = lagOf(event.device, iface);
    if (lag === null) return event;
    return { ...event, type: memberType, payload: { ...event.payload, lag: lag.name, member: iface, min_links: lag.minLinks, interface_event: event.type } };
  }
  if (event.type === 'network.lag_member_down' || event.type === 'network.lag_member_up') {
    const member = event.payload.member;
    if (typeof member !== 'string') return event;
    const lag = lagOf(event.device, member);
    if (lag === null) return event;
    const reported = event.payload.lag && event.payload.lag !== lag.name ? { reported_lag: event.payload.lag } : {};
    return { ...event, payload: { ...event.payload, lag: lag.name, min_links: lag.minLinks, ...reported } };
  }
  return event;
}
