/**
 * JSON schemas shared by the routes. They are the API's documentation (OpenAPI via
 * @fastify/swagger) and its validation. Response objects allow extra properties so a record
 * that grows a field is never silently cut short by the serialiser.
 */

export type Schema = Record<string, unknown>;

export const errorSchema: Schema = {
  type: 'object',
  description: 'Every error: a stable code from the catalogue, a message naming what and where, and whether a retry may help.',
  required: ['code', 'message', 'retryable'],
  properties: {
    code: { type: 'string', example: 'NRX_ERR_FORBIDDEN' },
    message: { type: 'string' },
    retryable: { type: 'boolean' },
    file: { type: 'string' },
    line: { type: 'integer' },
    field: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
};

/** Error responses every route can give. */
export const errorResponses: Schema = { '4xx': errorSchema, '5xx': errorSchema };

export const anyObject: Schema = { type: 'object', additionalProperties: true };
export const anyValue: Schema = {};
export const okSchema: Schema = { type: 'object', properties: { ok: { type: 'boolean' } }, additionalProperties: true };

export function listOf(item: Schema, extra: Record<string, Schema> = {}): Schema {
  return { type: 'object', required: ['items'], properties: { items: { type: 'array', items: item }, ...extra }, additionalProperties: false };
}

export const nullableString: Schema = { type: ['string', 'null'] };

export const executionSchema: Schema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    action: { type: 'string' },
    runner: { type: 'string' },
    parameters: anyObject,
    status: { type: 'string' },
    outcome: { type: ['string', 'null'], description: "what a workflow did, from its output's `outcome`: repaired, escalated, left alone, nothing to do" },
    result: anyValue,
    error: { type: ['object', 'null'], additionalProperties: true },
    parentId: nullableString,
    rootId: { type: 'string' },
    taskName: nullableString,
    context: anyObject,
    createdAt: { type: 'string' },
    startedAt: nullableString,
    endedAt: nullableString,
    log: { type: 'array', items: { type: 'string' } },
  },
};

export const taskSchema: Schema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    taskKey: { type: 'string' },
    taskName: { type: 'string' },
    itemIndex: { type: ['integer', 'null'] },
    status: { type: 'string' },
    actionRef: nullableString,
    executionId: nullableString,
    seq: { type: 'integer' },
    startedAt: nullableString,
    endedAt: nullableString,
    result: anyValue,
  },
};

export const eventSchema: Schema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    time: { type: 'string' },
    source: { type: 'string' },
    device: nullableString,
    payload: anyObject,
    traceId: { type: 'string' },
    status: { type: 'string' },
    occurrences: { type: 'integer', description: 'how many identical events this one stands for (storm coalescing); absent when never repeated' },
    lastTime: { type: 'string', description: 'when the last repeat arrived; with occurrences' },
    duplicateOf: {
      type: 'string',
      description: "the event this one duplicates: another sensor's view of the same fault (cross-source correlation); absent otherwise",
    },
  },
};

export const enforcementSchema: Schema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    ruleRef: { type: 'string' },
    triggerInstanceId: { type: 'string' },
    outcome: { type: 'string' },
    executionId: nullableString,
    actionRef: nullableString,
    reason: nullableString,
    time: { type: 'string' },
    execution: {
      type: ['object', 'null'],
      additionalProperties: true,
      description: 'the execution the decision started: id, action, status and outcome (what the workflow did)',
      properties: { id: { type: 'string' }, action: { type: 'string' }, status: { type: 'string' }, outcome: nullableString },
    },
  },
};

export const grantsSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  description:
    'Narrow a user or key: `packs` limits actions and rules to those packs; `inventory` is a filter (e.g. `site=dc1`) the devices it acts on must match. `shell` opens: the packs whose local-command actions (core.local style) a non-admin may give a command line, environment or working directory.',
  properties: {
    packs: { type: 'array', items: { type: 'string', minLength: 1 } },
    inventory: { type: 'string', minLength: 1 },
    shell: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
};

export const roleSchema: Schema = { type: 'string', enum: ['admin', 'operator', 'observer'] };

export const idParams: Schema = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } };
export const refParams: Schema = { type: 'object', required: ['ref'], properties: { ref: { type: 'string', minLength: 1 } } };
export const nameParams: Schema = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } };

export const limitQuery: Schema = { type: 'integer', minimum: 1, maximum: 1000, default: 100 };
