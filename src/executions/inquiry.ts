import { NrxError } from '../core/errors.js';

interface ResponseSchema {
  required?: string[];
  properties?: Record<string, { type?: string; enum?: unknown[] }>;
}

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
      if (t !== p.type && !(p.type === 'number' && t === 'number')) throw new NrxError('NRX_ERR_PARAM_INVALID', `inquiry ${executionId}: field '${k}' must be ${p.type}, got ${t}`);
    }
    if (p.enum && !p.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      throw new NrxError('NRX_ERR_PARAM_INVALID', `inquiry ${executionId}: field '${k}' must be one of ${JSON.stringify(p.enum)}`);
    }
  }
}
