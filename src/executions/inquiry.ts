import { NrxError } from '../core/errors.js';
import type { InquiryRunner } from './action.js';

interface ResponseSchema {
  required?: string[];
  properties?: Record<string, { type?: string; enum?: unknown[] }>;
}

/**
 * StackStorm's inquiry runner (core.ask): the execution waits, `pending`, until someone
 * answers; the answer must fit the inquiry's `schema` parameter.
 */
export const INQUIRY_RUNNER: InquiryRunner = {
  kind: 'inquiry',
  runnerType: 'inquiry',
  aliases: ['inquirer'],
  parameters: {
    schema: {
      type: 'object',
      required: true,
      default: {
        title: 'response_data',
        type: 'object',
        properties: { continue: { type: 'boolean', description: 'Would you like to continue the workflow?', required: true } },
      },
      description: 'JSON schema the response must match.',
    },
    route: { type: 'string', default: '', description: 'Free-form value rules use to pick a notification channel.' },
    users: { type: 'array', default: [], description: 'Users allowed to respond (empty: anyone).' },
    roles: { type: 'array', default: [], description: 'Roles allowed to respond (empty: anyone).' },
    ttl: { type: 'integer', default: 1440, description: 'Minutes before an unanswered inquiry times out.' },
  },
  checkResponse: (executionId, params, response) => checkInquiryResponse(executionId, params.schema, response),
};

/** Check an inquiry response against the inquiry's schema parameter (a JSON-schema object). */
export function checkInquiryResponse(executionId: string, schema: unknown, response: Record<string, unknown>): void {
  const s = (schema ?? {}) as ResponseSchema;
  for (const r of s.required ?? []) {
    if (response[r] === undefined) throw new NrxError('NRX_ERR_PARAM_INVALID', `inquiry ${executionId}: response is missing required field '${r}'`);
  }
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const v = response[k];
    if (v === undefined) continue;
    if (p.type) {
      const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' && Number.isInteger(v) && p.type === 'integer' ? 'integer' : typeof v;
      if (t !== p.type && !(p.type === 'number' && t === 'number'))
        throw new NrxError('NRX_ERR_PARAM_INVALID', `inquiry ${executionId}: field '${k}' must be ${p.type}, got ${t}`);
    }
    if (p.enum && !p.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      throw new NrxError('NRX_ERR_PARAM_INVALID', `inquiry ${executionId}: field '${k}' must be one of ${JSON.stringify(p.enum)}`);
    }
  }
}
