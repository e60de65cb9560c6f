import type { AuthenticationType, AuthHandlerMiddleware, Client, ConnectConfig } from 'ssh2';

/**
 * What every SSH connection here (CLI, NETCONF, remote shell) does the same way to get from
 * TCP connect to a logged-in session without idle waits. Measured against OpenSSH 9.2 on a
 * loaded 2-core machine (npm run bench -- ssh / netconf), these two cut connection setup from
 * ~250 ms to ~60 ms before the shell or subsystem starts.
 */

/**
 * Login methods in the order tried: a key, then the password, then keyboard-interactive answered
 * with the password (network devices often offer only that). No `none` probe first: ssh2 sends
 * one to learn the server's methods, which costs a round trip to sshd's privilege-separated
 * monitor; the methods come back with the first failure anyway, so a later method the server
 * did not offer is skipped.
 */
export function loginMethods(creds: { password?: unknown; privateKey?: unknown }, keyboardInteractive: boolean): AuthHandlerMiddleware {
  const order: AuthenticationType[] = [];
  if (creds.privateKey !== undefined) order.push('publickey');
  if (creds.password !== undefined) order.push('password');
  if (creds.password !== undefined && keyboardInteractive) order.push('keyboard-interactive');
  if (order.length === 0) order.push('none');
  let next = 0;
  return (methodsLeft) => {
    while (next < order.length) {
      const method = order[next++]!;
      if (!methodsLeft || methodsLeft.includes(method)) return method;
    }
    return false;
  };
}

/**
 * Connect with TCP_NODELAY from the first byte. ssh2 leaves Nagle on until the caller sets it;
 * during the handshake both sides write two packets in a row (NEWKEYS + SERVICE_REQUEST, EXT_INFO
 * + SERVICE_ACCEPT), and the second waits for a delayed ACK: 40 ms, three or four times per login.
 * Node applies the setting as soon as the socket connects.
 */
export function connectWithoutDelay(client: Client, config: ConnectConfig): void {
  client.connect(config);
  client.setNoDelay(true);
}
