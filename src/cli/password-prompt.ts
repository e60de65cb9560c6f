import { NrxError } from '../core/errors.js';

/**
 * The password for `netreflex login`: NETREFLEX_PASSWORD, else asked on the terminal without
 * echo, else the first line of stdin (scripts: `echo "$PW" | netreflex login`). Never a flag,
 * which would leave it in the shell history and the process list.
 */
export async function readPassword(prompt: string, env: NodeJS.ProcessEnv = process.env, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (env.NETREFLEX_PASSWORD) return env.NETREFLEX_PASSWORD;
  const pw = await readHidden(prompt, stdin);
  if (!pw) throw new NrxError('NRX_ERR_USAGE', 'no password given (type it at the prompt, pipe it on stdin, or set NETREFLEX_PASSWORD)');
  return pw;
}

/** A secret typed at the terminal without echo, or the first line of piped stdin. */
export function readHidden(prompt: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  return stdin.isTTY ? askWithoutEcho(prompt, stdin) : firstLine(stdin);
}

function askWithoutEcho(prompt: string, stdin: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new NrxError('NRX_ERR_USAGE', 'login interrupted'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function firstLine(stdin: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
