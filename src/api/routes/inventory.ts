import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from '../../core/config.js';
import { NrxError } from '../../core/errors.js';
import { matchesFilter, parseFilter } from '../../inventory/filter.js';
import type { Group, Host, ResolvedHost } from '../../inventory/model.js';
import type { Principal } from '../../auth/roles.js';
import type { RouteContext } from '../context.js';
import { anyObject, errorResponses, listOf, nameParams } from '../schemas.js';
import { inventoryExecRoutes } from './inventory-exec.js';

const fields = {
  hostname: { type: ['string', 'null'] },
  platform: { type: ['string', 'null'] },
  port: { type: ['integer', 'null'] },
  username: { type: ['string', 'null'] },
  credential: { type: ['string', 'null'], description: 'NAME of a credential in the secret store; never a password' },
  connection_options: anyObject,
  data: anyObject,
  groups: { type: 'array', items: { type: 'string' } },
};
/** Bodies are checked by the inventory's own validator, which names the field (and refuses passwords). */
const entryBody = { type: 'object', additionalProperties: true, properties: { name: { type: 'string', minLength: 1 }, ...fields } };
const entrySchema = { type: 'object', additionalProperties: true, properties: { name: { type: 'string' }, ...fields } };
const resolvedSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    hostname: { type: 'string' },
    platform: { type: ['string', 'null'] },
    port: { type: ['integer', 'null'] },
    username: { type: ['string', 'null'] },
    credential: { type: ['string', 'null'] },
    connectionOptions: anyObject,
    data: anyObject,
    groups: { type: 'array', items: { type: 'string' } },
  },
};
const countsSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    hosts: { type: 'integer' },
    groups: { type: 'integer' },
    errors: { type: 'array', items: {} },
    added: { type: 'array', items: { type: 'string' }, description: 'import: hosts that were not stored before' },
    removed: { type: 'array', items: { type: 'string' }, description: 'import: stored hosts the folder does not have (now gone)' },
  },
};

/** An operator granted `site=dc1` sees and previews only dc1 devices. */
function visible(p: Principal | null, hosts: ResolvedHost[]): ResolvedHost[] {
  if (!p?.grants.inventory) return hosts;
  const f = parseFilter(p.grants.inventory);
  return hosts.filter((h) => matchesFilter(f, h));
}

export function inventoryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const inv = ctx.deps.inventory;

  app.get<{ Querystring: { filter?: string } }>('/api/v1/inventory/hosts', {
    schema: {
      summary: 'Hosts with inheritance applied (host -> groups -> defaults), optionally filtered.',
      description:
        'Filter syntax: `role=leaf and site=dc1`, `name=leaf*`, `leaf1,leaf2` or `name in (leaf1, leaf2)` (a list of names), `group=dc1`, `platform=frr`, `tag=edge`, `data.asn>=65000`, `or`, `not`, parentheses; a comma between conditions means and.',
      tags: ['inventory'],
      querystring: { type: 'object', additionalProperties: false, properties: { filter: { type: 'string' } } },
      response: { 200: listOf(resolvedSchema), ...errorResponses },
    },
    handler: async (req) => ({ items: visible(req.principal, await inv.listHosts(req.query.filter)) }),
  });

  app.get<{ Params: { name: string } }>('/api/v1/inventory/hosts/:name', {
    schema: {
      summary: 'One host: resolved, and as written (`raw`).',
      tags: ['inventory'],
      params: nameParams,
      response: { 200: { ...resolvedSchema, properties: { ...resolvedSchema.properties, raw: entrySchema } }, ...errorResponses },
    },
    handler: async (req) => {
      const host = await inv.getHost(req.params.name);
      if (!host || visible(req.principal, [host]).length === 0) throw new NrxError('NRX_ERR_NOT_FOUND', `no host '${req.params.name}' in the inventory`);
      return { ...host, raw: await inv.getRawHost(host.name) };
    },
  });

  app.post<{ Body: Host }>('/api/v1/inventory/hosts', {
    schema: {
      summary: 'Add a host (admin).',
      tags: ['inventory'],
      body: { ...entryBody, required: ['name'] },
      response: { 201: resolvedSchema, ...errorResponses },
    },
    handler: async (req, reply) => {
      if (await inv.getRawHost(req.body.name))
        throw new NrxError('NRX_ERR_CONFLICT', `host '${req.body.name}' already exists; PUT /api/v1/inventory/hosts/${req.body.name} changes it`);
      await inv.putHost(req.body);
      req.auditInfo = { target: req.body.name };
      return reply.status(201).send(await inv.getHost(req.body.name));
    },
  });

  app.put<{ Params: { name: string }; Body: Omit<Host, 'name'> & { name?: string } }>('/api/v1/inventory/hosts/:name', {
    schema: {
      summary: 'Replace (or create) a host (admin).',
      tags: ['inventory'],
      params: nameParams,
      body: entryBody,
      response: { 200: resolvedSchema, ...errorResponses },
    },
    handler: async (req) => {
      if (req.body.name !== undefined && req.body.name !== req.params.name)
        throw new NrxError('NRX_ERR_VALIDATION', `body names host '${req.body.name}' but the URL names '${req.params.name}'`, {
          location: { field: 'body.name' },
        });
      await inv.putHost({ ...req.body, name: req.params.name });
      return inv.getHost(req.params.name);
    },
  });

  app.delete<{ Params: { name: string } }>('/api/v1/inventory/hosts/:name', {
    schema: {
      summary: 'Remove a host (admin).',
      tags: ['inventory'],
      params: nameParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      if (!(await inv.deleteHost(req.params.name))) throw new NrxError('NRX_ERR_NOT_FOUND', `no host '${req.params.name}' in the inventory`);
      return { ok: true };
    },
  });

  const findGroup = async (name: string): Promise<Group> => {
    const g = (await inv.listGroups()).find((x) => x.name === name);
    if (!g) throw new NrxError('NRX_ERR_NOT_FOUND', `no group '${name}' in the inventory`);
    return g;
  };

  app.get('/api/v1/inventory/groups', {
    schema: { summary: 'Groups as written.', tags: ['inventory'], response: { 200: listOf(entrySchema), ...errorResponses } },
    handler: async () => ({ items: await inv.listGroups() }),
  });

  app.get<{ Params: { name: string } }>('/api/v1/inventory/groups/:name', {
    schema: { summary: 'One group as written.', tags: ['inventory'], params: nameParams, response: { 200: entrySchema, ...errorResponses } },
    handler: async (req) => findGroup(req.params.name),
  });

  app.post<{ Body: Group }>('/api/v1/inventory/groups', {
    schema: {
      summary: 'Add a group (admin).',
      tags: ['inventory'],
      body: { ...entryBody, required: ['name'] },
      response: { 201: entrySchema, ...errorResponses },
    },
    handler: async (req, reply) => {
      if ((await inv.listGroups()).some((g) => g.name === req.body.name)) throw new NrxError('NRX_ERR_CONFLICT', `group '${req.body.name}' already exists`);
      await inv.putGroup(req.body);
      req.auditInfo = { target: req.body.name };
      return reply.status(201).send(await findGroup(req.body.name));
    },
  });

  app.put<{ Params: { name: string }; Body: Omit<Group, 'name'> & { name?: string } }>('/api/v1/inventory/groups/:name', {
    schema: {
      summary: 'Replace (or create) a group (admin).',
      tags: ['inventory'],
      params: nameParams,
      body: entryBody,
      response: { 200: entrySchema, ...errorResponses },
    },
    handler: async (req) => {
      if (req.body.name !== undefined && req.body.name !== req.params.name)
        throw new NrxError('NRX_ERR_VALIDATION', `body names group '${req.body.name}' but the URL names '${req.params.name}'`, {
          location: { field: 'body.name' },
        });
      await inv.putGroup({ ...req.body, name: req.params.name });
      return findGroup(req.params.name);
    },
  });

  app.delete<{ Params: { name: string } }>('/api/v1/inventory/groups/:name', {
    schema: {
      summary: 'Remove a group no host or group uses any more (admin).',
      tags: ['inventory'],
      params: nameParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      if (!(await inv.deleteGroup(req.params.name))) throw new NrxError('NRX_ERR_NOT_FOUND', `no group '${req.params.name}' in the inventory`);
      return { ok: true };
    },
  });

  app.get<{ Querystring: { q: string } }>('/api/v1/inventory/filter', {
    schema: {
      summary: 'Preview a filter: which hosts it selects (a parse error names the position).',
      tags: ['inventory'],
      querystring: { type: 'object', required: ['q'], additionalProperties: false, properties: { q: { type: 'string' } } },
      response: {
        200: {
          type: 'object',
          properties: {
            filter: { type: 'string' },
            count: { type: 'integer' },
            names: { type: 'array', items: { type: 'string' } },
            items: { type: 'array', items: resolvedSchema },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const items = visible(req.principal, await inv.listHosts(req.query.q));
      return { filter: req.query.q, count: items.length, names: items.map((h) => h.name), items };
    },
  });

  app.post<{ Body: { url?: string; json?: unknown; token?: string } }>('/api/v1/inventory/import/netbox', {
    schema: {
      summary: 'Import devices from NetBox (admin): its /api/dcim/devices/ JSON given here, or fetched from `url` with `token`.',
      tags: ['inventory'],
      body: { type: 'object', additionalProperties: false, properties: { url: { type: 'string', minLength: 1 }, json: {}, token: { type: 'string' } } },
      response: { 200: countsSchema, ...errorResponses },
    },
    handler: async (req) => {
      const b = req.body;
      if (b.json === undefined && !b.url)
        throw new NrxError('NRX_ERR_VALIDATION', "give 'json' (NetBox's /api/dcim/devices/ response) or 'url'", { location: { field: 'body' } });
      req.auditInfo = { target: b.url ?? 'json', detail: { url: b.url ?? null, json: b.json !== undefined } };
      return inv.importNetbox({ ...(b.url ? { url: b.url } : {}), ...(b.json !== undefined ? { json: b.json } : {}), ...(b.token ? { token: b.token } : {}) });
    },
  });

  app.post<{ Body: { dir?: string; direction?: 'import' | 'export' } }>('/api/v1/inventory/sync', {
    schema: {
      summary: 'GitOps: replace the stored inventory with the YAML folder (import, default), or write the stored one out (export) (admin).',
      description:
        'Import is all or nothing: with any error in hosts.yaml, groups.yaml or defaults.yaml nothing changes and the errors name file, line and field.',
      tags: ['inventory'],
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { dir: { type: 'string', minLength: 1 }, direction: { type: 'string', enum: ['import', 'export'], default: 'import' } },
      },
      response: { 200: countsSchema, ...errorResponses },
    },
    handler: async (req) => {
      const dir = path.resolve(req.body?.dir ?? ctx.deps.inventoryDir ?? path.join(REPO_ROOT, 'inventory'));
      req.auditInfo = { target: dir, detail: { direction: req.body?.direction ?? 'import' } };
      if (req.body?.direction === 'export') {
        await inv.exportYaml(dir);
        return { hosts: (await inv.listHosts()).length, groups: (await inv.listGroups()).length, errors: [] };
      }
      const before = new Set((await inv.listHosts()).map((h) => h.name));
      const r = await inv.loadYaml(dir);
      if (r.errors.length) {
        const errors = r.errors.map((e) => e.toJSON());
        throw new NrxError(
          'NRX_ERR_INVENTORY_INVALID',
          `inventory in ${dir} has ${r.errors.length} error(s); nothing changed. First: ${r.errors[0]!.message}`,
          { details: { errors } },
        );
      }
      // say what the import replaced: a folder missing hosts that were stored removes them
      const after = (await inv.listHosts()).map((h) => h.name);
      return {
        hosts: r.hosts,
        groups: r.groups,
        errors: [],
        added: after.filter((n) => !before.has(n)),
        removed: [...before].filter((n) => !after.includes(n)),
      };
    },
  });

  inventoryExecRoutes(app, ctx);
}
