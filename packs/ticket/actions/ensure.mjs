import { ensure } from './lib/tickets.mjs';

export const run = (params, ctx) => ensure(params, ctx);
