// Migration 0002: the after-call transcription pipeline's tables — the durable job queue (leases, attempts, backoff, failure reason) and per-tenant speech recognition settings (tenant/pipeline owns the queries).
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { StoreDialect } from './migrations.ts';

/** Columns holding epoch milliseconds (as in 0001). */
const TIME = 'bigint';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's migration API is untyped by design
type AnyDb = Kysely<any>;

/** `transcription_jobs` and `transcription_settings`. */
export const m0002Transcriptions = (dialect: StoreDialect): Migration => ({
  async up(db: AnyDb) {
    const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => (dialect === 'postgres' ? c.modifyFront(sql`collate "C"`) : c);
    await db.schema
      .createTable('transcription_jobs')
      .addColumn('id', 'text', (c) => id(c).primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id').onDelete('cascade'))
      .addColumn('call_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', TIME, (c) => c.notNull())
      .addColumn('lease_until', TIME)
      .addColumn('lease_token', 'text')
      .addColumn('last_error_code', 'text')
      .addColumn('last_error', 'text')
      .addColumn('message_id', 'text')
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addColumn('finished_at', TIME)
      .addUniqueConstraint('transcription_jobs_recording_key', ['recording_id'])
      .execute();
    await db.schema.createIndex('transcription_jobs_due_idx').on('transcription_jobs').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('transcription_jobs_tenant_idx').on('transcription_jobs').columns(['tenant_id', 'id']).execute();

    await db.schema
      .createTable('transcription_settings')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('transcription_settings').ifExists().execute();
    await db.schema.dropTable('transcription_jobs').ifExists().execute();
  },
});
