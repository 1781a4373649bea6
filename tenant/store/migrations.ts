// Versioned schema migrations, in code (no migration folder to ship: they work inside a single-file bundle), written once with Kysely's schema builder for both SQLite and PostgreSQL.
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration';
import { StoreError } from '../errors.ts';
import { m0002Transcriptions } from './migration-0002-transcriptions.ts';

/** The SQL backend of a store. */
export type StoreDialect = 'sqlite' | 'postgres';

/** Columns holding epoch milliseconds (64-bit in PostgreSQL, INTEGER in SQLite). */
const TIME = 'bigint';

/** A migration that knows its dialect (for the few types that differ: the identity column). */
type DialectMigration = (dialect: StoreDialect) => Migration;

/** Kysely's migration API is untyped by design (the schema changes under it); internal only. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const m0001: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    // Ids sort in byte order (keyset pagination): PostgreSQL's database collation may be a locale's.
    const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addUniqueConstraint('tenants_domain_key', ['domain'])
      .execute();

    await db.schema
      .createTable('numbers')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('called_identity', 'text', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addUniqueConstraint('numbers_tenant_number_key', ['tenant_id', 'number'])
      .addUniqueConstraint('numbers_called_identity_key', ['called_identity'])
      .execute();

    await db.schema
      .createTable('agents')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('extension', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('ha1_md5', 'text', (c) => c.notNull())
      .addColumn('ha1_sha256', 'text', (c) => c.notNull())
      .addColumn('away', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addUniqueConstraint('agents_tenant_extension_key', ['tenant_id', 'extension'])
      .execute();

    await db.schema
      .createTable('telephony')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('gateway_username', 'text')
      .addColumn('gateway_ha1_md5', 'text')
      .addColumn('gateway_ha1_sha256', 'text')
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addUniqueConstraint('telephony_gateway_username_key', ['gateway_username'])
      .execute();

    await db.schema
      .createTable('registrations')
      .addColumn('aor', 'text', (c) => c.notNull())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('binding', 'text', (c) => c.notNull())
      .addColumn('expires_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addPrimaryKeyConstraint('registrations_pkey', ['aor', 'contact'])
      .execute();
    await db.schema.createIndex('registrations_tenant_idx').on('registrations').columns(['tenant_id', 'kind']).execute();

    await db.schema
      .createTable('affinity')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('customer', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('call_id', 'text')
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addPrimaryKeyConstraint('affinity_pkey', ['tenant_id', 'customer'])
      .execute();

    await db.schema
      .createTable('flows')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('published', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('published_at', TIME)
      .addUniqueConstraint('flows_tenant_kind_version_key', ['tenant_id', 'kind', 'version'])
      .execute();
    await db.schema
      .createIndex('flows_one_published_idx')
      .on('flows')
      .columns(['tenant_id', 'kind'])
      .unique()
      .where(sql.ref('published'), '=', 1)
      .execute();

    await db.schema
      .createTable('calls')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('customer', 'text', (c) => c.notNull())
      .addColumn('number', 'text')
      .addColumn('agent_id', 'text')
      .addColumn('started_at', TIME, (c) => c.notNull())
      .addColumn('answered_at', TIME)
      .addColumn('ended_at', TIME)
      .addColumn('disposition', 'text')
      .addColumn('legs', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('flow_path', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('quality', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createIndex('calls_tenant_started_idx').on('calls').columns(['tenant_id', 'started_at', 'id']).execute();

    await db.schema
      .createTable('recordings')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('call_id', 'text')
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('channels', 'integer', (c) => c.notNull())
      .addColumn('sample_rate', 'integer', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('recordings_tenant_idx').on('recordings').columns(['tenant_id', 'id']).execute();

    await db.schema
      .createTable('conversations')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('customer', 'text', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('last_message_at', TIME, (c) => c.notNull())
      .addUniqueConstraint('conversations_tenant_customer_key', ['tenant_id', 'customer'])
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('call_id', 'text')
      .addColumn('agent_id', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_conversation_idx').on('messages').columns(['conversation_id', 'id']).execute();

    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('events', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('outbox')
      .addColumn('seq', dialect === 'sqlite' ? 'integer' : 'bigint', (c) =>
        dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('id', 'text', (c) => id(c).notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('call_id', 'text')
      .addColumn('agent_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addUniqueConstraint('outbox_id_key', ['id'])
      .execute();
    await db.schema.createIndex('outbox_tenant_seq_idx').on('outbox').columns(['tenant_id', 'seq']).execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('event_seq', 'bigint', (c) => c.notNull().references('outbox.seq').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('order_key', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', TIME, (c) => c.notNull())
      .addColumn('lease_until', TIME)
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', TIME)
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addPrimaryKeyConstraint('deliveries_pkey', ['webhook_id', 'event_seq'])
      .execute();
    await db.schema.createIndex('deliveries_due_idx').on('deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('deliveries_event_idx').on('deliveries').columns(['event_seq']).execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('last_used_at', TIME)
      .addColumn('revoked_at', TIME)
      .execute();
    await db.schema.createIndex('api_keys_tenant_idx').on('api_keys').columns(['tenant_id', 'id']).execute();
  },
  async down(db: AnyDb) {
    for (const t of [
      'api_keys', 'deliveries', 'outbox', 'webhooks', 'messages', 'conversations', 'recordings', 'calls',
      'flows', 'affinity', 'registrations', 'telephony', 'agents', 'numbers', 'tenants',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
});

/** Every migration in order; names sort in application order. Append, never edit a released one. */
const MIGRATIONS: ReadonlyArray<readonly [string, DialectMigration]> = [
  ['0001_initial', m0001],
  ['0002_transcriptions', m0002Transcriptions],
];

/** Names of every migration this build knows, in order. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

/** The in-code {@link MigrationProvider} for `dialect`. */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(dialect)]));
    },
  };
}

/**
 * Brings the schema up to date (`schema`: the PostgreSQL schema of the tables, when not the default) (each migration in its own transaction on both backends; concurrent nodes
 * wait on Kysely's migration lock).
 * @returns the names of the migrations applied now.
 * @throws {StoreError} when a migration fails (the schema stays at the last good version).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: StoreDialect, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db: db as AnyDb, provider: migrationProvider(dialect), ...(schema !== undefined ? { migrationTableSchema: schema } : {}) });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    throw new StoreError(`migration failed: ${errorText(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Reverts every migration (tests: proves `down` works). */
export async function migrateToEmpty<DB>(db: Kysely<DB>, dialect: StoreDialect, schema?: string): Promise<void> {
  const migrator = new Migrator({ db: db as AnyDb, provider: migrationProvider(dialect), ...(schema !== undefined ? { migrationTableSchema: schema } : {}) });
  for (;;) {
    const r = await migrator.migrateDown();
    if (r.error !== undefined) throw new StoreError(`migration down failed: ${errorText(r.error)}`, { cause: r.error });
    if ((r.results ?? []).length === 0) return;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
