import { find } from './lib/tickets.mjs';

export const run = (params, ctx) => find(params, ctx);
