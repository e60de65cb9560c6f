import { ERROR_CATALOGUE } from './errors.js';

/** The error catalogue as the Markdown table docs/errors.md carries (checked by a test). */
export function errorTableMarkdown(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.retryable ? 'yes' : 'no'} | ${e.meaning} |`);
  return ['| code | HTTP | retryable | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
