// The store's public surface: openStore, the repositories, the record types, migrations and the node:sqlite Kysely dialect.
export { openStore, isPostgresUrl, Repositories, Store, type ChangeListener, type StoreOptions } from './store.ts';
export { migrateToEmpty, migrateToLatest, migrationProvider, MIGRATION_NAMES, type StoreDialect } from './migrations.ts';
export { NodeSqliteDialect, type NodeSqliteDialectOptions } from './sqlite-dialect.ts';
export type { Database } from './schema.ts';
export type * from './types.ts';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, toTypedError } from './util.ts';
export { MAX_NAME_LENGTH, validateName, validateSettings, type TelephonyEnableResult } from './repo/tenants.ts';
export type { CallFilter, CallPatch, NewCall, NewMessage, NewRecording } from './repo/activity.ts';
export {
  validateEventFilter,
  validateWebhookSecret,
  validateWebhookUrl,
  type DueDelivery,
  type EventFilter,
  type NewEvent,
} from './repo/events.ts';
