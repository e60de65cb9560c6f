import type { FastifyInstance } from 'fastify';
import { NrxError } from '../../core/errors.js';
import type { PackConfigStore } from '../../datastore/pack-config-store.js';
import type { RouteContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const entrySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string', description: 'dotted for nested options (jira.url)' },
    value: { description: "'********' for a secret that has a value" },
    secret: { type: 'boolean' },
    required: { type: 'boolean' },
    type: { type: ['string', 'null'] },
    source: {
      type: ['string', 'null'],
      description: 'datastore (set through this API or the CLI), file (configs/<pack>.yaml), default (the schema), or null (not set)',
    },
    description: { type: ['string', 'null'] },
  },
};

const viewSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pack: { type: 'string' },
    file: { type: 'string', description: "the operator's file, <data dir>/configs/<pack>.yaml (it may not exist)" },
    schema: { type: ['string', 'null'], description: "the pack's config.schema.yaml" },
    options: { type: 'array', items: entrySchema },
    missing: { type: 'array', items: { type: 'string' }, description: "required options without a value: the pack's actions fail until they are set" },
  },
};

const packParams = { type: 'object', required: ['pack'], properties: { pack: { type: 'string', minLength: 1 } } };
const keyParams = { type: 'object', required: ['pack', 'key'], properties: { pack: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 } } };

/**
 * StackStorm's pack config over the API (`/api/v1/configs/<pack>`, one option at a time).
 * Secrets are encrypted on the way in and masked on the way out: no route returns one.
 */
export function packConfigRoutes(app: FastifyInstance, ctx: RouteContext, configs: PackConfigStore): void {
  const packDir = (ref: string): string => {
    const p = ctx.ports.packs.content.loaded.packs.find((x) => x.ref === ref);
    if (!p) throw new NrxError('NRX_ERR_NOT_FOUND', `no loaded pack '${ref}' (netreflex pack list shows the loaded ones)`);
    return p.path;
  };

  app.get<{ Params: { pack: string } }>('/api/v1/configs/:pack', {
    schema: {
      summary: "A pack's config: every option, its value (secrets as ********) and where it comes from, and the required ones still missing.",
      tags: ['packs'],
      params: packParams,
      response: { 200: viewSchema, ...errorResponses },
    },
    handler: async (req) => configs.show(req.params.pack, packDir(req.params.pack)),
  });

  app.put<{ Params: { pack: string; key: string }; Body: { value: unknown } }>('/api/v1/configs/:pack/:key', {
    schema: {
      summary: "Set one option of a pack's config (admin); a `secret: true` option is stored encrypted. Checked against config.schema.yaml.",
      tags: ['packs'],
      params: keyParams,
      body: { type: 'object', required: ['value'], additionalProperties: false, properties: { value: {} } },
      response: { 200: entrySchema, ...errorResponses },
    },
    handler: async (req) => {
      const { pack, key } = req.params;
      const entry = await configs.set(pack, packDir(pack), key, req.body.value);
      // the audit names the option, never the value
      req.auditInfo = { target: `${pack}/${key}`, detail: { secret: entry.secret } };
      return entry;
    },
  });

  app.delete<{ Params: { pack: string; key: string } }>('/api/v1/configs/:pack/:key', {
    schema: {
      summary: 'Remove an option set through the API or CLI (admin); the file or the default applies again.',
      tags: ['packs'],
      params: keyParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      const { pack, key } = req.params;
      packDir(pack);
      if (!(await configs.unset(pack, key))) throw new NrxError('NRX_ERR_NOT_FOUND', `pack ${pack}: no value of '${key}' was set through the API or CLI`);
      req.auditInfo = { target: `${pack}/${key}`, detail: null };
      return { ok: true };
    },
  });
}
