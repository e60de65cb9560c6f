/**
 * A small ssh2 server that plays a recorded device: prompt per mode, echo, paging until
 * `terminal length 0`, config mode, recorded answers per command, the platform's error string
 * for anything else. Faults for the transport tests: slow commands, commands that drop the
 * connection. Used by the transport tests and by the fan-out benchmark (200 of them on loopback).
 */
import ssh2, { type ServerChannel } from 'ssh2';
import { generateHostKey } from './ssh-host-key.js';

// ssh2 is CommonJS: its classes come through the default export under ESM.
const { Server } = ssh2;

export interface ReplayDevice {
  /** Prompts as the device prints them. */
  prompts: { exec?: string; privileged: string; config: string };
  /** Printed on its own line above the config prompt (Junos `[edit]`). */
  configPrefixLine?: string;
  startMode?: 'exec' | 'privileged';
  enable?: { command: string; secret: string };
  username: string;
  password: string;
  banner?: string;
  /** Recorded answers by command, in any mode. */
  responses: Record<string, string>;
  configEnter: string;
  configExit: string[];
  /** What the device says to a command it does not know. */
  unknown(command: string): string;
  /** Commands that turn paging off; until then outputs longer than pageLines are paged. */
  pagingOff: string[];
  pageLines?: number;
  /** Config-mode lines the device accepts (others get `unknown`). Default: every line. */
  configAccepts?: RegExp;
  /** Milliseconds to wait before answering a command. */
  delays?: Record<string, number>;
  /** Commands after which the server drops the connection without answering. */
  dropOn?: string[];
  /** Junos-style candidate: config lines are kept until commit; `show | compare` shows them. */
  candidate?: { compare: string; commit: string; discard: string; replaceStart?: string };
}

export interface ReplayServer {
  port: number;
  /** `ssh-ed25519 AAAA...` */
  hostPublicKey: string;
  /** Lines received in any session, for assertions (`terminal length 0` was sent...). */
  received: string[];
  /** The committed configuration lines (candidate devices) or config lines accepted. */
  config: string[];
  sessions: number;
  /** SSH connections open right now. */
  connections: number;
  close(): Promise<void>;
}

let sharedKey: { private: string; public: string } | undefined;
export function replayHostKey(): { private: string; public: string } {
  sharedKey ??= generateHostKey();
  return sharedKey;
}

export async function startReplayServer(
  device: ReplayDevice,
  opts: { hostKey?: { private: string; public: string }; port?: number } = {},
): Promise<ReplayServer> {
  const key = opts.hostKey ?? replayHostKey();
  const state: ReplayServer = {
    port: 0,
    hostPublicKey: key.public.trim().split(/\s+/).slice(0, 2).join(' '),
    received: [],
    config: [],
    sessions: 0,
    connections: 0,
    close: async () => {},
  };
  const clients = new Set<{ end(): unknown }>();
  const server = new Server({ hostKeys: [key.private] }, (client) => {
    clients.add(client);
    state.connections++;
    client.on('close', () => {
      clients.delete(client);
      state.connections--;
    });
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === device.username && ctx.password === device.password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true); // typed on Client only
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (ok) => ok?.());
        session.on('shell', (ok) => {
          state.sessions++;
          playShell(ok(), device, state, () => client.end());
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const c of clients) c.end(); // a test that failed half-way must not keep the server open
    });
  return state;
}

function playShell(stream: ServerChannel, d: ReplayDevice, state: ReplayServer, drop: () => void): void {
  let mode: 'exec' | 'privileged' | 'config' = d.startMode ?? 'privileged';
  let paging = true;
  let input = '';
  let waitingSecret = false;
  let pasting: string[] | undefined;
  let candidate: string[] = [];
  const out = (text: string): void => {
    stream.write(text.replace(/\r?\n/g, '\r\n'));
  };
  const prompt = (): void => {
    if (mode === 'config' && d.configPrefixLine) out(`\n${d.configPrefixLine}\n`);
    out(mode === 'config' ? d.prompts.config : mode === 'exec' ? (d.prompts.exec ?? d.prompts.privileged) : d.prompts.privileged);
  };
  const answer = (text: string): void => {
    const lines = text.split('\n');
    const page = d.pageLines ?? 24;
    if (paging && lines.length > page) {
      // Paging still on: only the first page and a pager prompt; a space shows the rest.
      out(lines.slice(0, page).join('\n') + '\n --More-- ');
      pendingRest = lines.slice(page).join('\n');
      return;
    }
    if (text !== '') out(text.endsWith('\n') ? text : `${text}\n`);
    prompt();
  };
  let pendingRest: string | undefined;
  const handle = (line: string): void => {
    const cmd = line.trim();
    state.received.push(cmd);
    if (d.dropOn?.includes(cmd)) {
      stream.close();
      drop();
      return;
    }
    if (waitingSecret) {
      waitingSecret = false;
      if (cmd === d.enable?.secret) mode = 'privileged';
      else out('% Access denied\n');
      prompt();
      return;
    }
    if (pasting) {
      pasting.push(line);
      return;
    }
    out(`${line}\n`); // echo
    const reply = (): void => {
      if (cmd === '') return prompt();
      if (d.enable && cmd === d.enable.command && mode === 'exec') {
        waitingSecret = true;
        out('Password: ');
        return;
      }
      if (d.pagingOff.includes(cmd)) {
        paging = false;
        return answer('');
      }
      if (cmd === d.configEnter && mode !== 'config') {
        mode = 'config';
        return answer('');
      }
      if (mode === 'config' && d.configExit.includes(cmd)) {
        mode = 'privileged';
        return answer('');
      }
      if (d.responses[cmd] !== undefined) return answer(d.responses[cmd]!);
      if (mode === 'config') {
        const c = d.candidate;
        if (c && cmd === c.compare) return answer(candidate.length ? `[edit]\n${candidate.map((l) => `+  ${l}`).join('\n')}` : '');
        if (c && (cmd === c.commit || cmd.startsWith(`${c.commit} `))) {
          state.config.push(...candidate);
          candidate = [];
          return answer('commit complete');
        }
        if (c && cmd === c.discard) {
          candidate = [];
          return answer('load complete');
        }
        if (c?.replaceStart && cmd === c.replaceStart) {
          pasting = [];
          out('[Type ^D at a new line to end input]\n');
          return;
        }
        if (!d.configAccepts || d.configAccepts.test(cmd)) {
          if (c) candidate.push(cmd);
          else state.config.push(cmd);
          return answer('');
        }
      }
      answer(d.unknown(cmd));
    };
    const delay = d.delays?.[cmd];
    if (delay) setTimeout(reply, delay);
    else reply();
  };
  stream.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (pendingRest !== undefined && text.includes(' ')) {
      const rest = pendingRest;
      pendingRest = undefined;
      out(`\n${rest}\n`);
      prompt();
      return;
    }
    if (pasting && text.includes('\u0004')) {
      input += text.slice(0, text.indexOf('\u0004'));
      for (const l of input.split(/\r?\n/)) if (l.trim() !== '') pasting.push(l.trim());
      input = '';
      candidate = pasting;
      pasting = undefined;
      out('load complete\n');
      prompt();
      return;
    }
    input += text;
    let nl: number;
    while ((nl = input.search(/\r?\n|\r/)) >= 0) {
      const line = input.slice(0, nl);
      input = input.slice(nl + (input[nl] === '\r' && input[nl + 1] === '\n' ? 2 : 1));
      handle(line);
    }
  });
  stream.on('error', () => {});
  if (d.banner) out(`${d.banner}\n`);
  prompt();
}

/** A Cisco-IOS-like device with the given hostname: the common case for tests. */
export function ciscoLikeDevice(hostname: string, responses: Record<string, string> = {}, extra: Partial<ReplayDevice> = {}): ReplayDevice {
  return {
    prompts: { exec: `${hostname}>`, privileged: `${hostname}#`, config: `${hostname}(config)#` },
    username: 'admin',
    password: 'secret-1',
    responses,
    configEnter: 'configure terminal',
    configExit: ['end'],
    unknown: (c) => `% Invalid input detected at '^' marker.\n${' '.repeat(Math.min(c.length, 40))}^`,
    pagingOff: ['terminal length 0'],
    ...extra,
  };
}
