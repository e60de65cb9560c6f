import { resolve } from './lib/tickets.mjs';

export const run = (params, ctx) => resolve(params, ctx);
