import { NrxError } from '../../../../src/core/errors.js';

export interface HttpTarget {
  /** Base URL; the bundle goes to `<url>/<file name>`. */
  url: string;
  username?: string;
  password?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  timeoutSeconds: number;
}

/** PUT the bundle to the server (WebDAV, an object store's presigned prefix, Artifactory...); any 2xx is success. */
export async function httpPut(
  target: HttpTarget,
  fileName: string,
  data: Buffer,
  checksum: string,
  signal: AbortSignal,
): Promise<{ location: string; status: number }> {
  let base: URL;
  try {
    base = new URL(target.url);
  } catch {
    throw new NrxError('NRX_ERR_CONFIG', `pack files: config value 'http.url' is not a URL`, { location: { field: 'http.url' } });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new NrxError('NRX_ERR_CONFIG', `pack files: config value 'http.url' must be http or https (got ${base.protocol})`, {
      location: { field: 'http.url' },
    });
  if (base.username || base.password)
    throw new NrxError('NRX_ERR_CONFIG', `pack files: put the login in 'http.username' and 'http.password' (a secret), not in 'http.url'`, {
      location: { field: 'http.url' },
    });
  const location = new URL(encodeURIComponent(fileName), base.href.endsWith('/') ? base.href : `${base.href}/`).href;
  const headers: Record<string, string> = {
    'content-type': 'application/gzip',
    'content-length': String(data.length),
    // Servers that check (Artifactory, some WebDAV) compare it with what they stored.
    'x-checksum-sha256': checksum,
  };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  else if (target.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(location, {
      method: 'PUT',
      headers,
      body: new Uint8Array(data),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(target.timeoutSeconds * 1000)]),
    });
  } catch (e) {
    if (signal.aborted) throw new NrxError('NRX_ERR_CANCELED', `upload to ${location} canceled`);
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new NrxError('NRX_ERR_UPLOAD', `PUT ${location}: ${(e as Error).message}${cause ? `: ${cause}` : ''}`);
  }
  const text = (await res.text().catch(() => '')).slice(0, 200);
  if (!res.ok) throw new NrxError('NRX_ERR_UPLOAD', `PUT ${location}: the server answered ${res.status} ${res.statusText}${text ? `: ${text}` : ''}`);
  return { location, status: res.status };
}
