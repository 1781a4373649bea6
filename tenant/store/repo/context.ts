// What every repository stands on: the query executor (the database or the current transaction), the dialect, and the clock.
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../migrations.ts';
import type { Database } from '../schema.ts';

/** The database, or a transaction on it (a Kysely Transaction is a Kysely). */
export type Executor = Kysely<Database>;

/** Shared by the repositories of one store (or of one transaction). */
export interface RepoContext {
  readonly db: Executor;
  readonly dialect: StoreDialect;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** Runs `fn` in a transaction, or directly when `ctx.db` already is one (repositories compose inside a caller's transaction). */
export function atomically<T>(ctx: RepoContext, fn: (db: Executor) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx.db);
  return ctx.db.transaction().execute(fn);
}
