import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { NrxError, isNrxError } from '../../src/core/errors.js';
import { verifyHostKey, type HostKeyPolicy } from './netconf-hostkey.js';
import { answerHostKeysPromptly, connectWithoutDelay, loginMethods } from './ssh-login.js';
import type { NetconfSession } from '../contract/netconf.js';
import { NetconfStreamSession, type SessionOptions } from './netconf-session.js';

/**
 * NETCONF over SSH (RFC 6242): an ssh2 connection, the `netconf` subsystem, then a
 * NetconfStreamSession on that channel. Written here rather than taken from npm: the `netconf-client`
 * packages there speak base:1.0 only, match replies by order rather than message-id, and accept
 * any host key; the protocol is small enough to own and test against netconfd.
 */

export interface NetconfConnectOptions {
  host: string;
  /** Default 830 (RFC 6242). */
  port?: number;
  username: string;
  password?: string;
  /** OpenSSH or PEM private key. */
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Known host key or trust-on-first-use; without either the connection is refused. */
  hostKey: HostKeyPolicy;
  /** Name used in errors (the inventory name); defaults to host:port. */
  device?: string;
  /** TCP connect + SSH handshake + auth + hello, ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Default per-RPC timeout, ms (default 60 s). */
  rpcTimeoutMs?: number;
  /** SSH keepalive interval, ms (0 = off; default 15 s). */
  keepaliveMs?: number;
  offerBase11?: boolean;
}

/** Open a NETCONF session; the SSH connection closes when the session does. */
export async function connectNetconf(opts: NetconfConnectOptions): Promise<NetconfSession> {
  const port = opts.port ?? 830;
  const device = opts.device ?? `${opts.host}:${port}`;
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  const client = new Client();
  let hostKeyError: NrxError | null = null;

  const config: ConnectConfig = {
    host: opts.host,
    port,
    username: opts.username,
    readyTimeout: timeoutMs,
    keepaliveInterval: opts.keepaliveMs ?? 15_000,
    hostVerifier: (key: Buffer): boolean => {
      const verdict = verifyHostKey(opts.hostKey, key, device);
      if (!verdict.ok) hostKeyError = verdict.error;
      return verdict.ok;
    },
    // Only the methods the caller gave credentials for, so a wrong password fails fast and clearly.
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.privateKey !== undefined ? { privateKey: opts.privateKey, ...(opts.passphrase !== undefined ? { passphrase: opts.passphrase } : {}) } : {}),
    authHandler: loginMethods(opts, false),
  };

  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    let settled = false;
    const done = (e: Error | null, ch?: ClientChannel): void => {
      if (settled) return;
      settled = true;
      if (e) {
        client.end();
        reject(e);
      } else resolve(ch!);
    };
    client.once('ready', () => {
      client.subsys('netconf', (err, ch) => {
        if (err) done(new NrxError('NRX_ERR_DEVICE_UNREACHABLE', `${device}: the SSH server refused the netconf subsystem: ${err.message}`, { cause: err }));
        else done(null, ch);
      });
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => done(connectError(err, device, opts, hostKeyError, timeoutMs)));
    client.once('close', () => done(new NrxError('NRX_ERR_CONNECTION_LOST', `${device}: the SSH connection closed before the netconf subsystem opened`)));
    try {
      answerHostKeysPromptly(client);
      connectWithoutDelay(client, config);
    } catch (e) {
      done(new NrxError('NRX_ERR_PARAM_INVALID', `${device}: cannot connect: ${(e as Error).message}`, { cause: e }));
    }
  });

  const sessionOpts: SessionOptions = {
    device,
    rpcTimeoutMs: opts.rpcTimeoutMs,
    helloTimeoutMs: timeoutMs,
    offerBase11: opts.offerBase11,
    onClosed: () => client.end(),
  };
  try {
    return await NetconfStreamSession.open(channel, sessionOpts);
  } catch (e) {
    client.end();
    throw isNrxError(e) ? e : new NrxError('NRX_ERR_CONNECTION_LOST', `${device}: NETCONF hello failed: ${(e as Error).message}`, { cause: e });
  }
}

function connectError(
  err: Error & { level?: string; code?: string },
  device: string,
  opts: NetconfConnectOptions,
  hostKeyError: NrxError | null,
  timeoutMs: number,
): NrxError {
  if (hostKeyError) return hostKeyError;
  if (err.level === 'client-authentication') {
    return new NrxError(
      'NRX_ERR_AUTH',
      `${device}: the device refused the credentials of user '${opts.username}' (${opts.password !== undefined ? 'password' : 'key'})`,
      { details: { device, user: opts.username }, cause: err },
    );
  }
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new NrxError('NRX_ERR_DEVICE_TIMEOUT', `${device}: SSH handshake not finished within ${timeoutMs} ms`, { cause: err });
  }
  return new NrxError(
    'NRX_ERR_DEVICE_UNREACHABLE',
    `${device}: cannot open an SSH connection to ${opts.host}:${opts.port ?? 830}: ${err.code ?? err.message}`,
    { cause: err },
  );
}
