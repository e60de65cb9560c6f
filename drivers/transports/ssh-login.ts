import type { AuthenticationType, AuthHandlerMiddleware, Client, ConnectConfig } from 'ssh2';
import type { NrxError } from '../../src/core/errors.js';
import { KnownHosts, type HostKeyDecision, type HostKeyPolicy } from './known-hosts.js';

/**
 * What every SSH connection here (CLI, NETCONF, remote shell) does the same way to get from
 * TCP connect to a logged-in session without idle waits. Against the lab's OpenSSH 9.2 on a
 * busy 2-core machine, old and new code side by side: a CLI session (connect, one command,
 * close) on FRR 276 -> 106 ms with a password, 301 -> 80 ms with a key; a NETCONF connect to
 * netconfd 236 -> 62 ms. What is left is sshd's own work (fork, password hash) and the CLI's start.
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

/**
 * For connections that open exactly one session channel (a CLI shell, a NETCONF subsystem).
 * After login OpenSSH announces its host keys (hostkeys-00); ssh2 answers with a proof request,
 * and sshd writes the proof's reply and the answer to our pty or subsystem request back to back
 * while Nagle is still on at its end (it turns it off only once a pty exists), so the second
 * waits ~40 ms for our delayed ACK. Saying right then that this connection opens no more
 * sessions, which is true, carries that ACK at once. Servers that are not OpenSSH send no
 * hostkeys-00 and get nothing extra.
 */
export function answerHostKeysPromptly(client: Client): void {
  // ssh2 emits 'hostkeys' (untyped) when the proof's reply arrives.
  (client as unknown as { once(event: 'hostkeys', listener: () => void): void }).once('hostkeys', () => {
    client.openssh_noMoreSessions(() => undefined);
  });
}

/** What a login needs, whichever channel follows (shell, exec). */
export interface SshLogin {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  knownHostsFile: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}

/**
 * The ssh2 connect settings of a login: known-hosts checking under `label` (the device name in
 * errors), key then password then keyboard-interactive. `hostKeyError()` is why a host key was
 * refused, if it was; keyboard-interactive prompts are answered with the password.
 */
export function loginConfig(
  client: Client,
  o: SshLogin,
  label: string,
  onHostKey: (decision: HostKeyDecision) => void,
): { config: ConnectConfig; hostKeyError: () => NrxError | undefined } {
  const knownHosts = new KnownHosts(o.knownHostsFile);
  let refused: NrxError | undefined;
  const config: ConnectConfig = {
    host: o.host,
    port: o.port,
    username: o.username,
    readyTimeout: o.connectTimeoutMs ?? 15_000,
    keepaliveInterval: o.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: 3,
    tryKeyboard: o.password !== undefined,
    authHandler: loginMethods(o, true),
    hostVerifier: (key: Buffer) => {
      try {
        onHostKey(knownHosts.verify(label, o.host, o.port, key, o.hostKeyPolicy));
        return true;
      } catch (e) {
        refused = e as NrxError;
        return false;
      }
    },
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.privateKey !== undefined ? { privateKey: o.privateKey } : {}),
    ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
  };
  client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => o.password ?? '')));
  return { config, hostKeyError: () => refused };
}
