import pg from 'pg';
import { NrxError } from '../../core/errors.js';

/**
 * The PostgreSQL store's connections: a pool for queries and transactions, and one dedicated
 * client that LISTENs for other processes' changes. Errors become NRX_ERR_STORE naming the
 * database (its URL without a password).
 */
export class PgConnection {
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  /** What the listening client listens to (again after a reconnect). */
  private readonly channels = new Set<string>();
  private closed = false;
  readonly location: string;

  constructor(url: string) {
    this.location = redact(url);
    // Two connections stay open however quiet the node is, the rest for a minute after their last
    // use: a query that has to open one waits for a new server process (several ms on a busy
    // machine), which was the slowest step of an event's way on a lightly loaded cluster.
    this.pool = new pg.Pool({ connectionString: url, max: 8, min: 2, idleTimeoutMillis: 60_000 });
    // an idle client's error (the server restarting) must not crash the process; the next query reports it
    this.pool.on('error', () => {});
  }

  guard(): void {
    if (this.closed) throw new NrxError('NRX_ERR_STORE', `database ${this.location} is closed`);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<pg.QueryResult<R>> {
    this.guard();
    try {
      return await this.pool.query<R>(sql, args);
    } catch (e) {
      throw this.wrap(e, sql);
    }
  }

  /**
   * Several statements without parameters in one simple query: PostgreSQL runs them as one
   * transaction (all or nothing), in one round trip.
   */
  async script(sql: string): Promise<void> {
    await this.withClient(async (client, lost) => {
      try {
        await client.query(sql);
      } catch (e) {
        // a refused statement rolled the whole text back; the connection is still good unless it was lost
        lost(e);
        throw this.wrap(e, sql);
      }
    });
  }

  /** `fn` in one transaction on one client; rolled back when it throws. */
  async tx<T>(fn: (q: (sql: string, args?: unknown[]) => Promise<pg.QueryResult>) => Promise<T>): Promise<T> {
    return this.withClient(async (client, lost) => {
      try {
        await client.query('BEGIN');
        const out = await fn(async (sql, args = []) => {
          try {
            return await client.query(sql, args);
          } catch (e) {
            lost(e);
            throw this.wrap(e, sql);
          }
        });
        await client.query('COMMIT');
        return out;
      } catch (e) {
        lost(e);
        await client.query('ROLLBACK').catch(() => {});
        throw e instanceof NrxError ? e : this.wrap(e, 'transaction');
      }
    });
  }

  /**
   * `fn` with a client of the pool, given back afterwards. A checked-out client has no error
   * listener of the pool's: the server ending the connection while it is out (a restart) would
   * otherwise crash the process. A client whose connection broke (`lost(e)` saw a lost
   * connection, or the client reported an error) is thrown away, not handed to the next query.
   */
  private async withClient<T>(fn: (client: pg.PoolClient, lost: (e: unknown) => void) => Promise<T>): Promise<T> {
    this.guard();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.wrap(e, 'connect');
    }
    let broken: Error | undefined;
    const onError = (e: Error): void => void (broken = e);
    client.on('error', onError);
    try {
      return await fn(client, (e) => void (broken ??= connectionLost(e)));
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * Calls `onNotify(channel, payload)` for NOTIFYs on these channels; resolves once listening.
   * A lost connection (the server restarting) is opened again and the channels listened to
   * again, every second until it works; `onReconnect` then lets the caller re-read what it may
   * have missed meanwhile.
   */
  async listen(channels: string[], onNotify: (channel: string, payload: string) => void, url: string, onReconnect?: () => void): Promise<void> {
    for (const ch of channels) this.channels.add(ch);
    const open = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: url });
      let lost = false;
      const reopen = (): void => {
        if (lost) return;
        lost = true;
        if (this.listener === c) this.listener = null;
        void c.end().catch(() => {});
        if (this.closed) return;
        const retry = (): void => {
          if (this.closed) return;
          open().then(
            () => onReconnect?.(),
            () => setTimeout(retry, 1_000).unref(),
          );
        };
        setTimeout(retry, 1_000).unref();
      };
      c.on('error', reopen);
      c.on('end', reopen);
      try {
        await c.connect();
        c.on('notification', (n) => onNotify(n.channel, n.payload ?? ''));
        for (const ch of this.channels) await c.query(`LISTEN ${ch}`);
      } catch (e) {
        lost = true; // the caller retries (or reports the first failure)
        c.removeAllListeners('end');
        void c.end().catch(() => {});
        throw e;
      }
      this.listener = c;
    };
    await open();
  }

  /** One more channel for the listening client (from now on, and after a reconnect). */
  async alsoListen(channel: string): Promise<void> {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    await this.listener?.query(`LISTEN ${channel}`);
  }

  /** Resolves once every notification committed before this call has been delivered (one round trip on the listening client). */
  async caughtUp(): Promise<void> {
    await this.listener?.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }

  private wrap(e: unknown, what: string): NrxError {
    if (e instanceof NrxError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new NrxError('NRX_ERR_STORE', `database ${this.location}: ${msg} (in: ${what.replace(/\s+/g, ' ').slice(0, 80)})`, { cause: e });
  }
}

/** The error of a connection that is gone (the client must not be reused), or undefined for a plain SQL error. */
export function connectionLost(e: unknown): Error | undefined {
  if (e instanceof NrxError) return connectionLost(e.cause);
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: string }).code ?? '';
  // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx connection exceptions;
  // node-postgres's own words for a client whose connection broke ("... is not queryable") carry no code
  if (/^(57P0[123]|08)/.test(code) || /Connection terminated|not queryable|ECONNRESET|ECONNREFUSED|EPIPE/i.test(e.message)) return e;
  return undefined;
}

/** postgres://user:secret@host/db -> postgres://user@host/db: what messages may show. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
