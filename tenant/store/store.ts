// The store: one repository layer over Kysely on either backend — embedded SQLite (node:sqlite, WAL) by default, PostgreSQL when given a postgres:// URL — with migrations run on open, transactions, and change notifications (PostgreSQL LISTEN/NOTIFY across nodes).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { ValidationError } from '../errors.ts';
import { migrateToLatest, type StoreDialect } from './migrations.ts';
import { AffinityRepo, CallsRepo, ConversationsRepo, RecordingsRepo } from './repo/activity.ts';
import type { Executor, RepoContext } from './repo/context.ts';
import { ApiKeysRepo, OutboxRepo, WebhooksRepo } from './repo/events.ts';
import { FlowsRepo, RegistrationsRepo } from './repo/registrations.ts';
import { AgentsRepo, NumbersRepo, TelephonyRepo, TenantsRepo } from './repo/tenants.ts';
import type { Database } from './schema.ts';
import { NodeSqliteDialect } from './sqlite-dialect.ts';
import { toTypedError } from './util.ts';

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** `postgres://…` (or `postgresql://…`) selects PostgreSQL (`HOTLINE_DATABASE_URL`). Absent: SQLite. */
  url?: string;
  /** SQLite database file, or `':memory:'`. Default `<dataDir>/hotline.db`. */
  file?: string;
  /** Directory of the SQLite file when `file` is absent (created if missing). Default `./data`. */
  dataDir?: string;
  /** Clock for stored timestamps (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Run pending migrations on open. Default true. */
  migrate?: boolean;
  /** PostgreSQL pool size. Default 10. */
  maxConnections?: number;
  /** PostgreSQL schema to keep the tables in (created if missing). Default: the server's search_path (`public`). */
  schema?: string;
}

/** A change notification: `local` is true when this process sent it. */
export type ChangeListener = (payload: string, info: { local: boolean }) => void;

/** The repositories, bound to the database or to one transaction. */
export class Repositories {
  readonly db: Executor;
  readonly dialect: StoreDialect;
  readonly now: () => number;
  readonly tenants: TenantsRepo;
  readonly numbers: NumbersRepo;
  readonly agents: AgentsRepo;
  readonly telephony: TelephonyRepo;
  readonly registrations: RegistrationsRepo;
  readonly flows: FlowsRepo;
  readonly affinity: AffinityRepo;
  readonly calls: CallsRepo;
  readonly recordings: RecordingsRepo;
  readonly conversations: ConversationsRepo;
  readonly webhooks: WebhooksRepo;
  readonly outbox: OutboxRepo;
  readonly apiKeys: ApiKeysRepo;

  constructor(ctx: RepoContext) {
    this.db = ctx.db;
    this.dialect = ctx.dialect;
    this.now = ctx.now;
    this.tenants = new TenantsRepo(ctx);
    this.numbers = new NumbersRepo(ctx);
    this.agents = new AgentsRepo(ctx);
    this.telephony = new TelephonyRepo(ctx);
    this.registrations = new RegistrationsRepo(ctx);
    this.flows = new FlowsRepo(ctx);
    this.affinity = new AffinityRepo(ctx);
    this.calls = new CallsRepo(ctx);
    this.recordings = new RecordingsRepo(ctx);
    this.conversations = new ConversationsRepo(ctx);
    this.webhooks = new WebhooksRepo(ctx);
    this.outbox = new OutboxRepo(ctx);
    this.apiKeys = new ApiKeysRepo(ctx);
  }

  /**
   * Runs `fn` in one transaction: everything it does through `tx` commits together or not at all (a
   * thrown error rolls back and is rethrown, typed). Inside a transaction, nests into it.
   * Use only `tx` inside `fn`: on SQLite the one connection is held by the transaction.
   */
  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    try {
      return await this.db.transaction().execute((trx) => fn(new Repositories({ db: trx, dialect: this.dialect, now: this.now })));
    } catch (err) {
      throw toTypedError(err);
    }
  }
}

/** An open store. Close it when done (`close()` is idempotent). */
export class Store extends Repositories {
  /** Random id of this process, carried by its notifications. */
  readonly nodeId: string = randomUUID();
  /** Migrations applied when the store was opened. */
  readonly appliedMigrations: readonly string[];
  /** The PostgreSQL schema of the tables, when one was given. */
  readonly schema: string | undefined;
  readonly #sql: postgres.Sql | undefined;
  readonly #listeners = new Map<string, Set<ChangeListener>>();
  readonly #pgListening = new Map<string, Promise<{ unlisten(): Promise<void> }>>();
  #closed = false;

  /** @internal use {@link openStore}. */
  constructor(db: Kysely<Database>, dialect: StoreDialect, now: () => number, sql: postgres.Sql | undefined, applied: readonly string[], schema?: string) {
    super({ db, dialect, now });
    this.schema = schema;
    this.#sql = sql;
    this.appliedMigrations = applied;
  }

  /**
   * Tells every listener of `channel` — in this process, and with PostgreSQL in every node — that
   * something changed (`payload`: e.g. a tenant id). Send after the change committed.
   */
  async notify(channel: string, payload: string): Promise<void> {
    if (this.#closed) return;
    if (this.#sql !== undefined) {
      await this.#sql.notify(pgChannel(channel), `${this.nodeId} ${payload}`);
      return;
    }
    queueMicrotask(() => this.#dispatch(channel, payload, true));
  }

  /** Listens to `channel` (see {@link notify}); returns a function that stops listening. */
  async listen(channel: string, listener: ChangeListener): Promise<() => void> {
    let set = this.#listeners.get(channel);
    if (set === undefined) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    if (this.#sql !== undefined && !this.#pgListening.has(channel)) {
      const sql = this.#sql;
      const p = sql.listen(pgChannel(channel), (msg: string) => {
        const sp = msg.indexOf(' ');
        const origin = sp < 0 ? '' : msg.slice(0, sp);
        this.#dispatch(channel, sp < 0 ? msg : msg.slice(sp + 1), origin === this.nodeId);
      });
      this.#pgListening.set(channel, p);
      await p;
    }
    return () => {
      set.delete(listener);
    };
  }

  #dispatch(channel: string, payload: string, local: boolean): void {
    for (const l of [...(this.#listeners.get(channel) ?? [])]) {
      try {
        l(payload, { local });
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  /** Closes the database (and the PostgreSQL pool and listeners). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    for (const p of this.#pgListening.values()) {
      try {
        await (await p).unlisten();
      } catch {
        // the connection may already be gone
      }
    }
    await this.db.destroy();
  }
}

function pgChannel(channel: string): string {
  return `hotline_${channel.replace(/[^a-z0-9_]/gi, '_')}`.toLowerCase();
}

/** True when `url` selects the PostgreSQL backend. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Opens the store — PostgreSQL when `url` is `postgres://…`, else SQLite at `file` (or
 * `<dataDir>/hotline.db`) — and brings the schema up to date.
 * @throws {ValidationError} naming `url` for another scheme; {StoreError} when a migration fails.
 */
export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const now = opts.now ?? Date.now;
  let db: Kysely<Database>;
  let dialect: StoreDialect;
  let sql: postgres.Sql | undefined;
  if (opts.url !== undefined && opts.url !== '') {
    if (!isPostgresUrl(opts.url)) throw new ValidationError('url', 'must be a postgres:// URL (or absent for the embedded database)');
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) throw new ValidationError('schema', 'must be a lower-case SQL identifier');
    if (opts.schema !== undefined) {
      const admin = postgres(opts.url, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create schema if not exists ${opts.schema}`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    }
    sql = postgres(opts.url, {
      max: opts.maxConnections ?? 10,
      ...(opts.schema !== undefined ? { connection: { search_path: opts.schema } } : {}),
      onnotice: () => {},
      // epoch-ms columns are int8: read them as numbers (all our values are below 2^53)
      types: { int8num: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (raw: string) => Number(raw) } },
      transform: { undefined: null },
    });
    db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sql }) });
    dialect = 'postgres';
  } else {
    let file = opts.file;
    if (file === undefined) {
      const dir = opts.dataDir ?? './data';
      mkdirSync(dir, { recursive: true });
      file = path.join(dir, 'hotline.db');
    }
    db = new Kysely<Database>({ dialect: new NodeSqliteDialect({ path: file }) });
    dialect = 'sqlite';
  }
  let applied: string[] = [];
  try {
    if (opts.migrate !== false) applied = await migrateToLatest(db, dialect, dialect === 'postgres' ? opts.schema : undefined);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new Store(db, dialect, now, sql, applied, dialect === 'postgres' ? opts.schema : undefined);
}
