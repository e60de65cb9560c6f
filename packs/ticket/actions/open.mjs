import { open } from './lib/tickets.mjs';

export const run = (params, ctx) => open(params, ctx);
