#!/usr/bin/env node
import { Command } from 'commander';
import { registerAll } from './commands/index.js';

const program = new Command();
program
  .name('netreflex')
  .description('netreflex: event-driven network automation (sensors -> rules -> workflows -> devices)')
  .version('0.1.0')
  .showHelpAfterError();
registerAll(program);
await program.parseAsync(process.argv);
