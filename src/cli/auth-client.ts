import type { Grants, Role } from '../auth/roles.js';
import type { ApiKeyView, UserView } from '../auth/auth-service.js';
import type { ApiClient, Page } from './api-client.js';

export type { ApiKeyView, UserView };

/**
 * The API routes for users, API keys and webhooks, for the CLI commands that manage them. Kept
 * beside ApiClient rather than in it: they are admin chores, used by three commands only.
 */

export interface WebhookView {
  name: string;
  kind: string;
  auth: string;
  url: string;
  createdAt: string;
  createdBy: string | null;
}

const enc = encodeURIComponent;

export const usersApi = (c: ApiClient) => ({
  list: () => c.request<Page<UserView>>('GET', '/api/v1/users'),
  add: (u: { name: string; password: string; role: Role; grants?: Grants }) => c.request<UserView>('POST', '/api/v1/users', { body: u }),
  setPassword: (name: string, password: string, currentPassword?: string) =>
    c.request<{ ok: boolean }>('PUT', `/api/v1/users/${enc(name)}/password`, { body: { password, ...(currentPassword ? { currentPassword } : {}) } }),
  remove: (name: string) => c.request<{ ok: boolean }>('DELETE', `/api/v1/users/${enc(name)}`),
});

export const apiKeysApi = (c: ApiClient) => ({
  list: (user?: string) => c.request<Page<ApiKeyView>>('GET', '/api/v1/auth/keys', { query: { user } }),
  create: (want: { user?: string; role?: Role; grants?: Grants; description?: string }) =>
    c.request<ApiKeyView & { key: string }>('POST', '/api/v1/auth/keys', { body: want }),
  revoke: (id: string) => c.request<{ ok: boolean }>('DELETE', `/api/v1/auth/keys/${enc(id)}`),
});

export const webhooksApi = (c: ApiClient) => ({
  list: () => c.request<Page<WebhookView>>('GET', '/api/v1/webhooks'),
  create: (w: { name: string; kind: string; auth: string }) =>
    c.request<WebhookView & { secret: string; header: string }>('POST', '/api/v1/webhooks', { body: w }),
  remove: (name: string) => c.request<{ ok: boolean }>('DELETE', `/api/v1/webhooks/${enc(name)}`),
});
