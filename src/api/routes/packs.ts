import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NrxError } from '../../core/errors.js';
import type { RouteContext } from '../context.js';
import { installPack, removeInstalledPack } from '../pack-install.js';
import { errorResponses, listOf, refParams } from '../schemas.js';

const packSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    ref: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    version: { type: ['string', 'null'] },
    path: { type: 'string' },
    installed: { type: 'boolean', description: 'installed through the API (removable); otherwise shipped or from NETREFLEX_PACKS_PATH' },
    actions: { type: 'integer', description: 'actions loaded from the pack' },
    cannot_run: {
      type: 'array',
      description: 'loaded actions whose runner_type this appliance does not have (mistral-v2, winrm-cmd...), and why',
      items: { type: 'object', properties: { action: { type: 'string' }, runner_type: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
};

export function packRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const underPacksDir = (p: string): boolean => path.resolve(p).startsWith(path.resolve(ctx.packsDir) + path.sep);

  app.get('/api/v1/packs', {
    schema: { summary: 'Loaded packs.', tags: ['packs'], response: { 200: listOf(packSchema), ...errorResponses } },
    handler: async () => {
      const appliance = ctx.ports.packs;
      const unrunnable = appliance.unrunnable();
      const actions = [...appliance.content.loaded.actions.values()];
      return {
        items: appliance.content.loaded.packs.map((p) => ({
          ref: p.ref,
          name: p.name,
          description: p.description,
          version: p.version,
          path: p.path,
          installed: underPacksDir(p.path),
          actions: actions.filter((a) => a.pack === p.ref).length,
          cannot_run: (unrunnable.get(p.ref) ?? []).map((u) => ({ action: u.action, runner_type: u.runnerType, reason: u.reason })),
        })),
      };
    },
  });

  app.post<{ Body: { source: string; force?: boolean } }>('/api/v1/packs/install', {
    schema: {
      summary: 'Install a pack from a local folder on the appliance or a git URL (cloned with --depth 1) into <data dir>/packs/<ref> (admin).',
      description:
        'The pack is validated with the pack loader first; a pack with errors is refused (400 NRX_ERR_PACK_INSTALL, details.errors name file, line and field) unless `force`. A pack whose ref is taken by a shipped pack or one on NETREFLEX_PACKS_PATH (e.g. `core`) is refused (409 NRX_ERR_CONFLICT) unless `force`; symlinks that leave the pack are always refused.',
      tags: ['packs'],
      body: {
        type: 'object',
        required: ['source'],
        additionalProperties: false,
        properties: { source: { type: 'string', minLength: 1 }, force: { type: 'boolean' } },
      },
      response: {
        201: {
          type: 'object',
          additionalProperties: true,
          properties: {
            ref: { type: 'string' },
            path: { type: 'string' },
            actions: { type: 'integer' },
            rules: { type: 'integer' },
            replaced: { type: 'boolean' },
            shadows: { type: 'array', items: { type: 'string' } },
            warnings: { type: 'array', items: { type: 'string' } },
            reloaded: { type: 'boolean' },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req, reply) => {
      const report = await installPack(req.body.source, ctx.packsDir, { force: req.body.force ?? false, packsPaths: ctx.ports.packs.packsPaths });
      req.auditInfo = { target: report.ref, detail: { source: req.body.source, force: req.body.force ?? false } };
      if (ctx.deps.reloadContent) await ctx.deps.reloadContent();
      return reply.status(201).send({ ...report, reloaded: Boolean(ctx.deps.reloadContent) });
    },
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/packs/:ref', {
    schema: {
      summary: 'Remove a pack installed through the API (admin).',
      tags: ['packs'],
      params: refParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, reloaded: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      const ref = req.params.ref;
      if (!removeInstalledPack(ref, ctx.packsDir)) {
        const loaded = ctx.ports.packs.content.loaded.packs.find((p) => p.ref === ref);
        if (loaded) throw new NrxError('NRX_ERR_CONFLICT', `pack '${ref}' is loaded from ${loaded.path}, not installed through the API; remove it there`);
        throw new NrxError('NRX_ERR_NOT_FOUND', `no installed pack '${ref}' in ${ctx.packsDir}`);
      }
      if (ctx.deps.reloadContent) await ctx.deps.reloadContent();
      return { ok: true, reloaded: Boolean(ctx.deps.reloadContent) };
    },
  });
}
