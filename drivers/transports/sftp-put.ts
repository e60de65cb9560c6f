import ssh2, { type SFTPWrapper } from 'ssh2';
import { NrxError } from '../../src/core/errors.js';
import { connectWithoutDelay, loginConfig, type SshLogin } from './ssh-login.js';

/**
 * One file to an SFTP server (OpenSSH's internal-sftp, a log server): the host key checked
 * against known_hosts like every SSH login here, the bytes written under a temporary name and
 * renamed into place, so a reader never sees half a file, and the stored size checked.
 */

export interface SftpPut extends SshLogin {
  /** The remote file, as the server resolves it (relative to the login or chroot directory). */
  remotePath: string;
  data: Buffer;
  signal?: AbortSignal;
}

const { Client } = ssh2;

export async function sftpPut(o: SftpPut): Promise<{ size: number }> {
  const label = `sftp server ${o.host}:${o.port}`;
  const client = new Client();
  const { config, hostKeyError } = loginConfig(client, o, label, () => undefined);
  const onAbort = (): void => void client.end();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err: Error & { level?: string; code?: string }) => reject(hostKeyError() ?? loginError(label, o, err)));
      try {
        connectWithoutDelay(client, config);
      } catch (e) {
        reject(new NrxError('NRX_ERR_AUTH', `${label}: ${(e as Error).message}`)); // a key ssh2 cannot parse
      }
    });
    const sftp = await call<SFTPWrapper>(label, 'open an SFTP session', (cb) => client.sftp(cb));
    const partial = `${o.remotePath}.partial`;
    await call(label, `write ${partial}`, (cb) => sftp.writeFile(partial, o.data, { mode: 0o640 }, cb));
    // OpenSSH's posix-rename replaces atomically; plain SFTP rename refuses an existing target.
    await call(label, `rename ${partial} to ${o.remotePath}`, (cb) => sftp.ext_openssh_rename(partial, o.remotePath, cb)).catch(() =>
      call(label, `rename ${partial} to ${o.remotePath}`, (cb) => sftp.rename(partial, o.remotePath, cb)),
    );
    const stats = await call<{ size: number }>(label, `stat ${o.remotePath}`, (cb) => sftp.stat(o.remotePath, cb));
    if (stats.size !== o.data.length)
      throw new NrxError('NRX_ERR_UPLOAD', `${label}: ${o.remotePath} holds ${stats.size} bytes after the upload, not ${o.data.length}`);
    return { size: stats.size };
  } catch (e) {
    if (o.signal?.aborted) throw new NrxError('NRX_ERR_CANCELED', `${label}: upload canceled`);
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    client.end();
  }
}

function call<T = void>(label: string, what: string, start: (cb: (err: Error | null | undefined, value: T) => void) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((err, value) => (err ? reject(new NrxError('NRX_ERR_UPLOAD', `${label}: cannot ${what}: ${err.message}`)) : resolve(value)));
    } catch (e) {
      reject(new NrxError('NRX_ERR_UPLOAD', `${label}: cannot ${what}: ${(e as Error).message}`));
    }
  });
}

function loginError(label: string, o: SftpPut, err: Error & { level?: string; code?: string }): NrxError {
  if (err.level === 'client-authentication')
    return new NrxError(
      'NRX_ERR_AUTH',
      `${label}: authentication failed for user '${o.username}' (${o.privateKey ? 'key' : o.password !== undefined ? 'password' : 'no secret'})`,
    );
  if (err.level === 'client-timeout') return new NrxError('NRX_ERR_UPLOAD', `${label}: no SSH handshake within ${(o.connectTimeoutMs ?? 15_000) / 1000} s`);
  return new NrxError('NRX_ERR_UPLOAD', `${label}: cannot connect: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '));
}
