import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NrxError, isNrxError } from '../../core/errors.js';
import { parseYaml } from '../../core/yaml.js';
import { parseActionChain } from '../../workflows/actionchain/spec.js';
import { parseOrquesta } from '../../workflows/orquesta/spec.js';
import { WORKFLOW_FILE_LIMITS } from '../../workflows/spec-file.js';
import { callerOf, type RouteContext } from '../context.js';
import { assertPackAllowed } from '../grants.js';
import { errorResponses, refParams } from '../schemas.js';

type Kind = 'orquesta' | 'action-chain';
const KINDS: readonly Kind[] = ['orquesta', 'action-chain'];
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

const problemSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    line: { type: 'integer' },
    field: { type: 'string' },
    task: { type: ['string', 'null'] },
  },
};
const sourceBody = {
  type: 'object',
  required: ['yaml'],
  additionalProperties: false,
  properties: {
    yaml: { type: 'string', maxLength: WORKFLOW_FILE_LIMITS.inlineBytes },
    kind: { type: 'string', enum: KINDS },
    description: { type: 'string', maxLength: 1000 },
  },
};

export interface WorkflowProblem {
  code: string;
  message: string;
  line?: number;
  field?: string;
  /** The task the problem is in, when the field path names one (the designer marks that node). */
  task: string | null;
}

/** Check a workflow text with the same parsers the engine loads workflows with; the first problem, or null. */
export function workflowProblem(kind: Kind, text: string, file: string): WorkflowProblem | null {
  try {
    const src = parseYaml(text, file);
    if (kind === 'orquesta') parseOrquesta(src);
    else parseActionChain(src);
    return null;
  } catch (e) {
    if (!isNrxError(e)) throw e;
    const field = e.location.field;
    const task = field?.startsWith('tasks.') ? (field.slice(6).split(/[.[]/)[0] ?? null) : null;
    return { code: e.code, message: e.message, ...(e.location.line !== undefined ? { line: e.location.line } : {}), ...(field ? { field } : {}), task };
  }
}

/**
 * The Flow designer's routes: read a workflow's YAML, check a draft with the engine's own
 * loader, and save one into a pack under the data directory (then reload the content).
 * Shipped packs and NETREFLEX_PACKS_PATH packs are read-only here.
 */
export function workflowRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const actions = ctx.ports.actions.actions;
  const workflowAction = (ref: string) => {
    const a = actions.get(ref);
    if (!a) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `no action '${ref}' is loaded`);
    if (!KINDS.includes(a.runnerType as Kind) || !a.entryPoint)
      throw new NrxError('NRX_ERR_VALIDATION', `action '${ref}' is not a workflow (runner ${a.runnerType})`);
    return a;
  };

  app.get<{ Params: { ref: string } }>('/api/v1/workflows/:ref', {
    schema: {
      summary: "A workflow action's YAML as written, with its kind (orquesta or action-chain) and whether the designer may save it in place.",
      tags: ['workflows'],
      params: refParams,
      response: {
        200: {
          type: 'object',
          properties: {
            ref: { type: 'string' },
            kind: { type: 'string' },
            yaml: { type: 'string' },
            description: { type: 'string' },
            writable: { type: 'boolean' },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const a = workflowAction(req.params.ref);
      assertPackAllowed(req.principal, a.pack, `workflow ${a.ref}`);
      const writable = path.resolve(a.file).startsWith(path.resolve(ctx.packsDir) + path.sep);
      return { ref: a.ref, kind: a.runnerType, yaml: readFileSync(a.entryPoint!, 'utf8'), description: a.description, writable };
    },
  });

  app.post<{ Body: { yaml: string; kind?: Kind } }>('/api/v1/workflows/validate', {
    schema: {
      summary: 'Check a workflow draft with the loader the engine uses: valid, or the first problem with its line, field and task.',
      tags: ['workflows'],
      body: sourceBody,
      response: { 200: { type: 'object', properties: { valid: { type: 'boolean' }, problem: { ...problemSchema, nullable: true } } }, ...errorResponses },
    },
    handler: async (req) => {
      const problem = workflowProblem(req.body.kind ?? 'orquesta', req.body.yaml, 'draft.yaml');
      return { valid: problem === null, problem };
    },
  });

  app.put<{ Params: { ref: string }; Body: { yaml: string; kind?: Kind; description?: string } }>('/api/v1/workflows/:ref', {
    schema: {
      summary:
        'Save a workflow into <data dir>/packs/<pack>: the YAML byte for byte, and action metadata when it is new; the content reloads (packs:write, pack grant).',
      tags: ['workflows'],
      params: refParams,
      body: sourceBody,
      response: { 200: { type: 'object', properties: { ref: { type: 'string' }, file: { type: 'string' }, created: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      const [pack, name, ...rest] = req.params.ref.split('.');
      if (!pack || !name || rest.length || !NAME.test(pack) || !NAME.test(name))
        throw new NrxError('NRX_ERR_VALIDATION', `workflow ref '${req.params.ref}' must be <pack>.<name> (letters, digits, _ and -)`, {
          location: { field: 'ref' },
        });
      assertPackAllowed(callerOf(req), pack, `workflow ${req.params.ref}`);
      const kind = req.body.kind ?? 'orquesta';
      const existing = actions.get(req.params.ref);
      const packDir = path.join(ctx.packsDir, pack);
      if (existing && !path.resolve(existing.file).startsWith(path.resolve(ctx.packsDir) + path.sep))
        throw new NrxError(
          'NRX_ERR_CONFLICT',
          `workflow '${req.params.ref}' comes from ${path.dirname(existing.file)}, which the API does not write: save it under another pack`,
        );
      const problem = workflowProblem(kind, req.body.yaml, `${req.params.ref}.yaml`);
      if (problem)
        throw new NrxError('NRX_ERR_SPEC_INVALID', problem.message, {
          location: { ...(problem.line !== undefined ? { line: problem.line } : {}), ...(problem.field ? { field: problem.field } : {}) },
          details: { task: problem.task },
        });
      const file = existing?.entryPoint ?? path.join(packDir, 'actions', 'workflows', `${name}.yaml`);
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      if (!existsSync(path.join(packDir, 'pack.yaml')))
        writeAtomic(
          path.join(packDir, 'pack.yaml'),
          `ref: ${pack}\nname: ${pack}\nversion: 0.1.0\ndescription: Workflows drawn in the netreflex Flow designer.\n`,
        );
      writeAtomic(file, req.body.yaml);
      if (!existing) {
        const meta = [
          `name: ${name}`,
          `runner_type: ${kind}`,
          `entry_point: workflows/${name}.yaml`,
          `description: ${JSON.stringify(req.body.description ?? 'Drawn in the Flow designer.')}`,
          `parameters: ${JSON.stringify(inputParameters(kind, req.body.yaml))}`,
          '',
        ].join('\n');
        writeAtomic(path.join(packDir, 'actions', `${name}.yaml`), meta);
      }
      if (ctx.deps.reloadContent) await ctx.deps.reloadContent();
      req.auditInfo = { target: req.params.ref, detail: { file, created: !existing } };
      return { ref: req.params.ref, file, created: !existing };
    },
  });
}

/** A new workflow action takes the workflow's inputs as parameters (a default makes one optional). */
function inputParameters(kind: Kind, text: string): Record<string, unknown> {
  if (kind !== 'orquesta') return {};
  const spec = parseOrquesta(parseYaml(text, 'draft.yaml'));
  const params: Record<string, unknown> = {};
  for (const i of spec.input) params[i.name] = i.value === undefined ? { required: true } : { default: i.value };
  return params;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}
