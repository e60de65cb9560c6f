/**
 * The interface a router reaches an address through, read from its `show ip route <address>`
 * answer: FRR and IOS print `directly connected, eth0` (IOS: `directly connected, via Gi0/1`)
 * for a connected peer and `10.0.0.1, via eth0` for a routed one. Null when the route names
 * no interface (no route, a recursive route, or a platform that words it otherwise).
 */
export function routeInterface(output: string): string | null {
  const text = output.replace(/\r/g, '');
  const connected = /directly connected, (?:via )?([A-Za-z][\w./:-]*)/.exec(text);
  if (connected) return connected[1]!;
  const via = /, via ([A-Za-z][\w./:-]*)/.exec(text);
  return via ? via[1]! : null;
}
