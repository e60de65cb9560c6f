import type Database from 'better-sqlite3';
import { NrxError } from '../../core/errors.js';

/**
 * One better-sqlite3 connection shared by the SQLite store and its repositories: prepared
 * statements compiled once per SQL text, and a guard that turns use after close into
 * NRX_ERR_STORE naming the file.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly isReadonly: boolean,
  ) {}

  guard(): void {
    if (this.closed) throw new NrxError('NRX_ERR_STORE', `database ${this.file} is closed`);
  }

  /** The connection itself, for the store's own modules (migrations, prune, transactions). */
  handle(): Database.Database {
    this.guard();
    return this.db;
  }

  stmt(sql: string): Database.Statement {
    this.guard();
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** `fn` in one IMMEDIATE transaction: the write lock is taken up front, so a competing writer waits in busy_timeout. */
  write<T>(fn: () => T): T {
    this.guard();
    return this.db.transaction(fn).immediate();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }
}
