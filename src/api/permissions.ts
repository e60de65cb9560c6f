import type { Permission } from '../auth/roles.js';

/**
 * Who may call what: every API route, by `METHOD path`, with the access it needs. The one
 * place to read the security model; buildApp refuses to register a route missing here, and
 * the role x route test matrix is generated from this table.
 *   anonymous      anybody (health, the OpenAPI document, login)
 *   authenticated  any valid credential (own API keys, logout, whoami)
 *   <permission>   a role holding it (src/auth/roles.ts); grants narrow further in handlers
 */
export type Access = 'anonymous' | 'authenticated' | Permission;

export const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  'GET /api/v1/health': 'anonymous',
  'GET /openapi.json': 'anonymous',
  'POST /api/v1/auth/login': 'anonymous',

  'POST /api/v1/auth/logout': 'authenticated',
  'GET /api/v1/auth/whoami': 'authenticated',
  'GET /api/v1/auth/keys': 'authenticated',
  'POST /api/v1/auth/keys': 'authenticated',
  'DELETE /api/v1/auth/keys/:id': 'authenticated',

  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'DELETE /api/v1/users/:name': 'admin',
  // admin for anybody; a user for its own password (checked in the handler)
  'PUT /api/v1/users/:name/password': 'authenticated',
  'GET /api/v1/audit': 'admin',

  'GET /api/v1/events': 'read',
  'POST /api/v1/events': 'emit',
  'GET /api/v1/events/:id': 'read',
  'GET /api/v1/triggertypes': 'read',

  'GET /api/v1/rules': 'read',
  'GET /api/v1/rules/:ref': 'read',
  'POST /api/v1/rules': 'rules:write',
  'PUT /api/v1/rules/:ref': 'rules:write',
  'DELETE /api/v1/rules/:ref': 'rules:write',
  'POST /api/v1/rules/:ref/enable': 'rules:write',
  'POST /api/v1/rules/:ref/disable': 'rules:write',
  'POST /api/v1/rules/test': 'read',

  'GET /api/v1/actions': 'read',
  'GET /api/v1/actions/:ref': 'read',

  'POST /api/v1/executions': 'execute',
  'GET /api/v1/executions': 'read',
  'GET /api/v1/executions/:id': 'read',
  'POST /api/v1/executions/:id/cancel': 'execute',
  'POST /api/v1/executions/:id/pause': 'execute',
  'POST /api/v1/executions/:id/resume': 'execute',
  'POST /api/v1/executions/:id/rerun': 'execute',
  'GET /api/v1/executions/:id/output': 'read',

  'GET /api/v1/inquiries': 'read',
  'POST /api/v1/inquiries/:id/respond': 'respond',

  'GET /api/v1/inventory/hosts': 'read',
  'POST /api/v1/inventory/hosts': 'inventory:write',
  'GET /api/v1/inventory/hosts/:name': 'read',
  'PUT /api/v1/inventory/hosts/:name': 'inventory:write',
  'DELETE /api/v1/inventory/hosts/:name': 'inventory:write',
  'GET /api/v1/inventory/groups': 'read',
  'POST /api/v1/inventory/groups': 'inventory:write',
  'GET /api/v1/inventory/groups/:name': 'read',
  'PUT /api/v1/inventory/groups/:name': 'inventory:write',
  'DELETE /api/v1/inventory/groups/:name': 'inventory:write',
  'GET /api/v1/inventory/filter': 'read',
  'POST /api/v1/inventory/import/netbox': 'inventory:write',
  'POST /api/v1/inventory/sync': 'inventory:write',
  // show commands and getters on devices (grants.inventory narrows which)
  'POST /api/v1/inventory/exec': 'execute',

  'GET /api/v1/keys': 'read',
  'GET /api/v1/keys/:scope/:key': 'read',
  'PUT /api/v1/keys/:scope/:key': 'keys:write',
  'DELETE /api/v1/keys/:scope/:key': 'keys:write',

  'GET /api/v1/workflows/:ref': 'read',
  'POST /api/v1/workflows/validate': 'read',
  'PUT /api/v1/workflows/:ref': 'packs:write',

  'GET /api/v1/packs': 'read',
  'POST /api/v1/packs/install': 'packs:write',
  'DELETE /api/v1/packs/:ref': 'packs:write',
  'GET /api/v1/configs/:pack': 'read',
  'PUT /api/v1/configs/:pack/:key': 'packs:write',
  'DELETE /api/v1/configs/:pack/:key': 'packs:write',

  'GET /api/v1/actionalias': 'read',
  'POST /api/v1/actionalias/match': 'read',
  // runs the alias's action: the handler checks grants as POST /api/v1/executions does
  'POST /api/v1/aliasexecution': 'execute',

  'GET /api/v1/webhooks': 'read',
  'POST /api/v1/webhooks': 'admin',
  'DELETE /api/v1/webhooks/:name': 'admin',
  // callers are machines: the webhook's own token or HMAC signature is checked in the handler
  'POST /api/v1/webhooks/:name': 'anonymous',

  'GET /api/v1/stream': 'read',
  'GET /metrics': 'read',
  'GET /api/v1/cluster': 'read',
};

/**
 * Swagger UI's pages and assets are as public as the document they render; so is the web UI's
 * code (src/api/ui-static.ts), which shows nothing until its API calls carry a credential.
 */
export const ANONYMOUS_PREFIXES = ['/docs', '/assets'];
const ANONYMOUS_PAGES = new Set(['/']);

export function accessFor(method: string, url: string): Access | undefined {
  const a = ROUTE_ACCESS[`${method} ${url}`];
  if (a) return a;
  if (method === 'GET' && ANONYMOUS_PAGES.has(url)) return 'anonymous';
  if (ANONYMOUS_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) return 'anonymous';
  return undefined;
}
