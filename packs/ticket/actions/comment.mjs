import { comment } from './lib/tickets.mjs';

export const run = (params, ctx) => comment(params, ctx);
