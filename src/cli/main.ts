#!/usr/bin/env node
import { programFor } from './program.js';

// Only the module of the command given is loaded (see program.ts): `--help`, `parse` and
// `decode` start without the API server, the store or SSH.
const program = await programFor(process.argv.slice(2));
await program.parseAsync(process.argv);
