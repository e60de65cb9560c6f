/**
 * Requests to a ticket system. Every failure is an Error with code NRX_ERR_TICKET naming the
 * system, the method, the path and the system's own words; never the credentials.
 */

/** An Error the module runner reports under its catalogued code. */
export function ticketError(message, code = 'NRX_ERR_TICKET') {
  return Object.assign(new Error(message), { code });
}

/**
 * One HTTP exchange. `body` is JSON unless it is a Buffer or FormData; `ok` lists the statuses
 * that count as success (default: any 2xx). Returns the parsed JSON answer (null when empty).
 */
export async function call(conn, method, path, { body, query, headers = {}, ok } = {}) {
  const url = new URL(conn.base + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
  }
  const h = { Accept: 'application/json', ...conn.headers, ...headers };
  let payload;
  if (body instanceof FormData || Buffer.isBuffer(body)) payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  const signal = AbortSignal.any([conn.signal, AbortSignal.timeout(conn.timeoutMs)]);
  const what = `${conn.system}: ${method} ${url.pathname}`;
  let res;
  try {
    res = await fetch(url, { method, headers: h, body: payload, signal, redirect: 'error' });
  } catch (e) {
    const why = conn.signal.aborted ? 'stopped' : e?.name === 'TimeoutError' ? `no answer within ${conn.timeoutMs / 1000} s` : (e?.cause?.message ?? e?.message);
    throw ticketError(`${what} failed: ${why}`);
  }
  const text = await res.text();
  conn.log(`${what} -> ${res.status}`);
  const good = ok ? ok.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!good) throw ticketError(`${what} answered ${res.status}: ${complaint(text) || res.statusText}`);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw ticketError(`${what} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** The system's own words from an error body: Redmine {errors: []}, Jira {errorMessages, errors}, ServiceNow {error: {message, detail}}. */
function complaint(text) {
  try {
    const j = JSON.parse(text);
    const parts = [
      ...(Array.isArray(j.errors) ? j.errors : []),
      ...(Array.isArray(j.errorMessages) ? j.errorMessages : []),
      ...(j.errors && !Array.isArray(j.errors) && typeof j.errors === 'object' ? Object.entries(j.errors).map(([k, v]) => `${k}: ${v}`) : []),
      ...(j.error?.message ? [j.error.message + (j.error.detail ? ` (${j.error.detail})` : '')] : []),
    ];
    return parts.join('; ').slice(0, 500);
  } catch {
    return text.slice(0, 200);
  }
}

/** Basic authentication header. */
export function basic(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
