// A Kysely dialect for Node 24's built-in `node:sqlite` (DatabaseSync): one connection, WAL journal, foreign keys on, `BEGIN IMMEDIATE` transactions, a small prepared-statement cache.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/** Options of {@link NodeSqliteDialect}. */
export interface NodeSqliteDialectOptions {
  /** A database file path, or `':memory:'`. */
  path: string;
  /** Milliseconds to wait for a lock held by another process before SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
  /** Prepared statements kept per connection (least recently used are dropped). Default 200. */
  statementCacheSize?: number;
}

/** The values node:sqlite binds. */
type SqliteValue = null | number | bigint | string | Uint8Array;

/**
 * Kysely's dialect for `node:sqlite`. Kysely's own SqliteDialect expects a better-sqlite3-shaped object;
 * this one drives `DatabaseSync` directly. The database opens with `journal_mode=WAL`,
 * `synchronous=NORMAL`, `foreign_keys=ON` and a busy timeout. Kysely serialises every use of the one
 * connection (the adapter says it does not support several), so a transaction holds it exclusively.
 */
export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteDialectOptions;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = { ...options };
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** SQLite runs DDL inside transactions, so migrations can be all-or-nothing (Kysely's default adapter says no). */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class NodeSqliteDriver implements Driver {
  readonly #options: NodeSqliteDialectOptions;
  #db: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const db = new DatabaseSync(this.#options.path, { timeout: this.#options.busyTimeoutMs ?? 5000 });
    if (this.#options.path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    this.#db = db;
    this.#connection = new NodeSqliteConnection(db, this.#options.statementCacheSize ?? 200);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#connection === undefined) throw new Error('node:sqlite driver is not initialised (or destroyed)');
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // IMMEDIATE takes the write lock up front: no SQLITE_BUSY upgrade deadlock between two writers.
    (connection as NodeSqliteConnection).exec('BEGIN IMMEDIATE');
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as NodeSqliteConnection).exec('COMMIT');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as NodeSqliteConnection;
    if (c.inTransaction) c.exec('ROLLBACK');
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as NodeSqliteConnection).exec(`SAVEPOINT ${quoteIdent(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as NodeSqliteConnection).exec(`ROLLBACK TO SAVEPOINT ${quoteIdent(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as NodeSqliteConnection).exec(`RELEASE SAVEPOINT ${quoteIdent(name)}`);
  }

  async releaseConnection(): Promise<void> {
    // one shared connection: nothing to release
  }

  async destroy(): Promise<void> {
    this.#connection?.clear();
    this.#connection = undefined;
    if (this.#db?.isOpen) this.#db.close();
    this.#db = undefined;
  }
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();
  readonly #cacheSize: number;

  constructor(db: DatabaseSync, cacheSize: number) {
    this.#db = db;
    this.#cacheSize = cacheSize;
  }

  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  clear(): void {
    this.#cache.clear();
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.#prepare(compiledQuery.sql);
    const params = compiledQuery.parameters.map(toSqlite);
    if (stmt.columns().length > 0) {
      return { rows: stmt.all(...params) as R[] };
    }
    const { changes, lastInsertRowid } = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const stmt = this.#prepare(compiledQuery.sql);
    for (const row of stmt.iterate(...compiledQuery.parameters.map(toSqlite))) yield { rows: [row as R] };
  }

  #prepare(sql: string): StatementSync {
    let stmt = this.#cache.get(sql);
    if (stmt !== undefined) {
      this.#cache.delete(sql);
      this.#cache.set(sql, stmt);
      return stmt;
    }
    stmt = this.#db.prepare(sql);
    this.#cache.set(sql, stmt);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return stmt;
  }
}

/** Maps JavaScript values to what node:sqlite binds: booleans → 0/1, Dates → epoch ms, undefined → NULL. */
function toSqlite(v: unknown): SqliteValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || v instanceof Uint8Array) return v;
  throw new TypeError(`cannot bind a ${typeof v} to an SQLite parameter`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
