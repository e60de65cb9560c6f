import { NrxError } from '../../../core/errors.js';
import { currentRender } from '../../../core/template-budget.js';

/**
 * Every YAQL failure is an NRX_ERR_TEMPLATE that quotes the expression as written, so the
 * operator sees `<% ... %>` and what is wrong with it; `construct` (in details) names the
 * part that is not supported or failed. No JavaScript error text gets through.
 */
export function yaqlError(source: string, message: string, construct?: string, quote = true): NrxError {
  // quote: false when the caller's message quotes the expression already (a value that is the expression alone)
  const text = quote ? `expression <% ${shorten(source.trim())} %>: ${message}` : message;
  const e = new NrxError('NRX_ERR_TEMPLATE', text, {
    details: { language: 'yaql', ...(construct !== undefined ? { construct } : {}) },
  });
  // nunjucks rewraps what a template function throws; the render keeps the original (template-sandbox.ts).
  currentRender()?.keep(e);
  return e;
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
