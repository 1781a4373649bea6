// Test support for the tenant layer (not shipped): run a suite against both store backends — SQLite in memory and a throwaway PostgreSQL cluster.
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { type PostgresCluster, startPostgres } from '../test/peers/postgres.ts';
import { openStore, type Store, type StoreOptions } from './store/index.ts';

/** Every table of the store (for emptying a shared test database). */
export const TABLES = [
  'tenants', 'numbers', 'agents', 'telephony', 'registrations', 'affinity', 'flows', 'calls', 'recordings',
  'conversations', 'messages', 'webhooks', 'outbox', 'deliveries', 'api_keys',
] as const;

/** The two store backends every store test runs against. */
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Opens fresh stores on one backend; closes them (and stops PostgreSQL) after the suite. */
export interface BackendHarness {
  readonly name: BackendName;
  /** An empty, migrated store: new on SQLite; on PostgreSQL a shared one emptied (any `opts`: a new schema). */
  open(opts?: Omit<StoreOptions, 'url' | 'file'>): Promise<Store>;
  /** Options that open a new empty database without migrating or tracking it (migration tests). */
  freshOptions(): Promise<StoreOptions>;
}

/**
 * Registers beforeAll/afterAll hooks in the calling `describe` that start a PostgreSQL cluster when
 * `name` is `postgres` (failing — never skipping — when PostgreSQL is not installed).
 */
export function useBackend(name: BackendName): BackendHarness {
  let cluster: PostgresCluster | undefined;
  let database: string | undefined;
  let schemas = 0;
  const stores: Store[] = [];
  beforeAll(async () => {
    if (name !== 'postgres') return;
    cluster = await startPostgres();
    database = await cluster.createDatabase();
  }, 60_000);
  afterAll(async () => {
    for (const s of stores.splice(0)) await s.close();
    await cluster?.stop();
  }, 60_000);
  const freshOptions = async (): Promise<StoreOptions> => {
    if (name === 'sqlite') return { file: ':memory:' };
    if (database === undefined) throw new Error('PostgreSQL cluster not started');
    // a new schema per store: as empty as a new database, and much cheaper to make
    return { url: database, schema: `t${schemas++}`, maxConnections: 4 };
  };
  let shared: Store | undefined;
  return {
    name,
    freshOptions,
    async open(opts = {}) {
      if (name === 'postgres' && Object.keys(opts).length === 0) {
        // migrating a schema costs a few hundred ms on a busy machine: reuse one, emptied
        if (shared === undefined) {
          shared = await openStore(await freshOptions());
          stores.push(shared);
        } else {
          await sql`truncate table ${sql.join(TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(shared.db);
        }
        return shared;
      }
      const s = await openStore({ ...(await freshOptions()), ...opts });
      stores.push(s);
      return s;
    },
  };
}

let counter = 0;
/** A domain no other test of this process uses. */
export function uniqueDomain(label = 'acme'): string {
  return `${label}${process.pid}x${counter++}.example`;
}
