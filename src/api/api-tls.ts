// `serve --tls-cert FILE --tls-key FILE`: the API and the web UI over HTTPS. Read at start so a
// missing or unreadable file stops serve with an error naming it, before anything listens.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { NrxError } from '../core/errors.js';

export interface ApiTls {
  cert: Buffer;
  key: Buffer;
}

/** Both flags or neither; null when neither (plain http). */
export function readApiTls(certFile: string | undefined, keyFile: string | undefined): ApiTls | null {
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) throw new NrxError('NRX_ERR_CONFIG', `--tls-cert and --tls-key go together: ${certFile ? '--tls-key' : '--tls-cert'} is missing`);
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new NrxError('NRX_ERR_CONFIG', `${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        cause: e,
      });
    }
  };
  const tls = { cert: read('--tls-cert', certFile), key: read('--tls-key', keyFile) };
  try {
    createSecureContext(tls);
  } catch (e) {
    throw new NrxError('NRX_ERR_CONFIG', `--tls-cert ${certFile} / --tls-key ${keyFile}: not a PEM certificate and its key (${(e as Error).message})`, {
      cause: e,
    });
  }
  return tls;
}
