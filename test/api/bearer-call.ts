/**
 * A REST call to a running appliance with a bearer token, as the tests that start `serve` (or
 * the assembled appliance) make them: JSON in and out, a non-2xx answer thrown with its status
 * and body.
 */
export type ApiCall = <T = unknown>(method: string, p: string, body?: unknown) => Promise<T>;

export function bearerCall(baseUrl: () => string, token: () => string): ApiCall {
  return async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl()}${p}`, {
      method,
      headers: { authorization: `Bearer ${token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}
