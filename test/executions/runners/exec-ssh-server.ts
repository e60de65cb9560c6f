/**
 * A small SSH server for the remote-shell tests that need no root: password login for one
 * user, and each exec request runs under /bin/sh -c on this machine with stdin, stdout,
 * stderr and the exit status passed through, the way sshd runs `ssh host 'command'`.
 * The lab test runs the same runner against a real OpenSSH server.
 */
import { spawn } from 'node:child_process';
import ssh2 from 'ssh2';
import { generateHostKey } from '../../drivers/ssh-host-key.js';

const { Server } = ssh2;

export interface ExecServer {
  port: number;
  /** `ssh-ed25519 AAAA...` */
  hostPublicKey: string;
  /** Every command line received, for assertions. */
  commands: string[];
  close(): Promise<void>;
}

export async function startExecServer(login: { username: string; password: string }): Promise<ExecServer> {
  const key = generateHostKey();
  const commands: string[] = [];
  const clients = new Set<{ end(): unknown }>();
  const server = new Server({ hostKeys: [key.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === login.username && ctx.password === login.password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          commands.push(info.command);
          const channel = acceptExec();
          const child = spawn('/bin/sh', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
          channel.pipe(child.stdin);
          child.stdout.pipe(channel, { end: false });
          child.stderr.pipe(channel.stderr, { end: false });
          child.stdin.on('error', () => {});
          channel.on('close', () => {
            // The client went away (timeout, cancel): the command goes with it, like sshd does.
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* already ended */
            }
          });
          child.on('close', (code) => {
            try {
              channel.exit(code ?? 255);
              channel.end();
            } catch {
              /* closed by the client */
            }
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    hostPublicKey: key.public.trim().split(/\s+/).slice(0, 2).join(' '),
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}
