// `npm run docs:errors`: rewrite the table in docs/errors.md from the error catalogue.
import { readFileSync, writeFileSync } from 'node:fs';
import { errorTableMarkdown } from '../../src/core/error-table.js';

const file = 'docs/errors.md';
const doc = readFileSync(file, 'utf8');
const start = doc.indexOf('| code | HTTP |');
if (start === -1) throw new Error(`${file}: no error table found`);
writeFileSync(file, `${doc.slice(0, start)}${errorTableMarkdown()}\n`);
console.log(`${file}: table rewritten from src/core/errors.ts`);
