import type { FastifyInstance } from 'fastify';
import { roleAllows } from '../../auth/roles.js';
import { NrxError, describeError } from '../../core/errors.js';
import { eventFromDoc, testParsedRule } from '../../rules/rule-tester.js';
import type { Rule } from '../../rules/rule.js';
import { callerOf, type RouteContext } from '../context.js';
import { assertCommandAllowed } from '../shell-access.js';
import { assertPackAllowed, packAllowed } from '../grants.js';
import { isApiRule, parseApiRule } from '../rule-store.js';
import { anyObject, anyValue, errorResponses, listOf, refParams } from '../schemas.js';

const ruleSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    ref: { type: 'string' },
    name: { type: 'string' },
    pack: { type: 'string' },
    description: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    type: { type: 'string', enum: ['standard', 'backstop'] },
    trigger: anyObject,
    criteria: anyObject,
    action: anyObject,
    throttle: anyValue,
    holdDown: anyValue,
    maintenance: { type: 'string' },
    source: { type: 'string', enum: ['pack', 'api'], description: 'pack: from a pack file (read-only here, enable/disable only); api: made through this API' },
    file: { type: 'string' },
  },
};

const ruleBody = {
  type: 'object',
  required: ['rule'],
  additionalProperties: false,
  properties: {
    rule: {
      description: 'the rule as YAML text (a rules/*.yaml file) or the same as a JSON object',
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'object', additionalProperties: true },
      ],
    },
  },
};

function ruleView(r: Rule): Record<string, unknown> {
  return {
    ref: r.ref,
    name: r.name,
    pack: r.pack,
    description: r.description,
    enabled: r.enabled,
    type: r.ruleType,
    trigger: r.trigger,
    criteria: r.criteria,
    action: r.action,
    tags: r.tags,
    throttle: r.throttle,
    holdDown: r.holdDown,
    maintenance: r.maintenance,
    source: isApiRule(r) ? 'api' : 'pack',
    file: r.file,
  };
}

export function ruleRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const index = ctx.ports.rules.index;
  /** A rule made through the API runs with its author's say on command actions (core.local). */
  const commandAllowed = (req: Parameters<typeof callerOf>[0], rule: Rule): void => {
    const action = ctx.ports.rules.actions.get(rule.action.ref);
    if (action) assertCommandAllowed(callerOf(req), action, rule.action.parameters, `rule ${rule.ref}`);
  };
  const find = (ref: string): Rule => {
    const r = index.get(ref);
    if (!r) throw new NrxError('NRX_ERR_NOT_FOUND', `no rule '${ref}'`);
    return r;
  };

  app.get<{ Querystring: { pack?: string; trigger?: string; enabled?: boolean } }>('/api/v1/rules', {
    schema: {
      summary: 'Rules: from packs and made through the API, with their enabled state.',
      tags: ['rules'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { pack: { type: 'string' }, trigger: { type: 'string' }, enabled: { type: 'boolean' } },
      },
      response: { 200: listOf(ruleSchema), ...errorResponses },
    },
    handler: async (req) => {
      const q = req.query;
      const items = index
        .all()
        .filter(
          (r) =>
            packAllowed(req.principal, r.pack) &&
            (!q.pack || r.pack === q.pack) &&
            (!q.trigger || r.trigger.type === q.trigger) &&
            (q.enabled === undefined || r.enabled === q.enabled),
        )
        .sort((a, b) => a.ref.localeCompare(b.ref))
        .map(ruleView);
      return { items };
    },
  });

  app.get<{ Params: { ref: string } }>('/api/v1/rules/:ref', {
    schema: { summary: 'One rule.', tags: ['rules'], params: refParams, response: { 200: ruleSchema, ...errorResponses } },
    handler: async (req) => {
      const r = find(req.params.ref);
      assertPackAllowed(req.principal, r.pack, `rule ${r.ref}`);
      return ruleView(r);
    },
  });

  app.post<{ Body: { rule: unknown } }>('/api/v1/rules', {
    schema: {
      summary: 'Create a rule, stored in the database and active at once (admin).',
      tags: ['rules'],
      body: ruleBody,
      response: { 201: ruleSchema, ...errorResponses },
    },
    handler: async (req, reply) => {
      const rule = parseApiRule(req.body.rule);
      assertPackAllowed(req.principal, rule.pack, `rule ${rule.ref}`);
      commandAllowed(req, rule);
      if (index.get(rule.ref))
        throw new NrxError(
          'NRX_ERR_CONFLICT',
          `rule '${rule.ref}' already exists (${index.get(rule.ref)!.file}); use PUT /api/v1/rules/${rule.ref} to change an API rule`,
        );
      await ctx.rules.put(rule, req.body.rule);
      index.add(rule);
      req.auditInfo = { target: rule.ref, detail: { ref: rule.ref, enabled: rule.enabled } };
      return reply.status(201).send(ruleView(rule));
    },
  });

  app.put<{ Params: { ref: string }; Body: { rule: unknown } }>('/api/v1/rules/:ref', {
    schema: {
      summary: 'Replace (or create) a rule made through the API (admin). Pack rules change in their pack.',
      tags: ['rules'],
      params: refParams,
      body: ruleBody,
      response: { 200: ruleSchema, ...errorResponses },
    },
    handler: async (req) => {
      const rule = parseApiRule(req.body.rule);
      if (rule.ref !== req.params.ref)
        throw new NrxError('NRX_ERR_VALIDATION', `the rule is '${rule.ref}' but the URL names '${req.params.ref}'`, { location: { field: 'body.rule.name' } });
      assertPackAllowed(req.principal, rule.pack, `rule ${rule.ref}`);
      commandAllowed(req, rule);
      const existing = index.get(rule.ref);
      if (existing && !isApiRule(existing)) throw new NrxError('NRX_ERR_CONFLICT', `rule '${rule.ref}' comes from ${existing.file}; change it there`);
      await ctx.rules.put(rule, req.body.rule);
      index.add(rule);
      req.auditInfo = { target: rule.ref, detail: { ref: rule.ref, enabled: rule.enabled } };
      return ruleView(rule);
    },
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/rules/:ref', {
    schema: {
      summary: 'Delete a rule made through the API (admin).',
      tags: ['rules'],
      params: refParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      const r = find(req.params.ref);
      assertPackAllowed(req.principal, r.pack, `rule ${r.ref}`);
      if (!isApiRule(r)) throw new NrxError('NRX_ERR_CONFLICT', `rule '${r.ref}' comes from ${r.file}; remove it from its pack (or disable it)`);
      await ctx.rules.delete(r.ref);
      index.remove(r.ref);
      return { ok: true };
    },
  });

  for (const enabled of [true, false]) {
    app.post<{ Params: { ref: string } }>(`/api/v1/rules/:ref/${enabled ? 'enable' : 'disable'}`, {
      schema: {
        summary: `${enabled ? 'Enable' : 'Disable'} a rule (admin). Kept across restarts, pack rules included.`,
        tags: ['rules'],
        params: refParams,
        response: { 200: ruleSchema, ...errorResponses },
      },
      handler: async (req) => {
        const r = find(req.params.ref);
        assertPackAllowed(req.principal, r.pack, `rule ${r.ref}`);
        await ctx.rules.setEnabled(r.ref, enabled);
        const updated = { ...r, enabled };
        index.add(updated);
        return ruleView(updated);
      },
    });
  }

  app.post<{ Body: { rule: unknown; event: unknown } }>('/api/v1/rules/test', {
    schema: {
      summary: 'The rule tester: would this rule fire for this event, with which parameters? Runs nothing.',
      description: 'exitCode as the CLI: 0 match, 1 no match, 2 invalid input (the error names the field).',
      tags: ['rules'],
      body: {
        type: 'object',
        required: ['rule', 'event'],
        additionalProperties: false,
        properties: {
          rule: {
            description: 'rule YAML text or object, or the ref of a loaded rule',
            anyOf: [
              { type: 'string', minLength: 1 },
              { type: 'object', additionalProperties: true },
            ],
          },
          event: { type: 'object', additionalProperties: true, description: 'a payload, or {trigger, payload, device?}' },
        },
      },
      response: {
        200: {
          type: 'object',
          additionalProperties: true,
          properties: {
            exitCode: { type: 'integer', enum: [0, 1, 2] },
            matched: { type: 'boolean' },
            rule: { type: ['string', 'null'] },
            trigger: { type: ['string', 'null'] },
            failures: { type: 'array', items: anyObject },
            actionRef: { type: 'string' },
            parameters: anyObject,
            notes: { type: 'array', items: { type: 'string' } },
            error: anyObject,
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => {
      let rule: Rule;
      const loaded = typeof req.body.rule === 'string' && !req.body.rule.includes('\n') ? index.get(req.body.rule) : undefined;
      // Testing a loaded rule shows its criteria and parameters: only within the caller's pack grant.
      if (loaded) assertPackAllowed(req.principal, loaded.pack, `rule ${loaded.ref}`);
      try {
        rule = loaded ?? parseApiRule(req.body.rule);
      } catch (e) {
        return { exitCode: 2, matched: false, rule: null, trigger: null, failures: [], error: describeError(e) };
      }
      try {
        // Secrets in clear only for a caller who could read them anyway.
        const secrets = req.principal && roleAllows(req.principal.role, 'secrets:read') ? 'reveal' : 'mask';
        // The datastore as the rules engine sees it: `st2kv`, with values masked as the caller's rights say.
        return testParsedRule(rule, eventFromDoc(req.body.event, rule.trigger.type, 'body.event', 'api'), { secrets, names: ctx.ports.rules.templateNames() });
      } catch (e) {
        return { exitCode: 2, matched: false, rule: rule.ref, trigger: null, failures: [], error: describeError(e) };
      }
    },
  });
}
