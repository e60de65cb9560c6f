import { attach } from './lib/tickets.mjs';

export const run = (params, ctx) => attach(params, ctx);
