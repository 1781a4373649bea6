// Store helpers: JSON columns, keyset pagination cursors, and mapping SQLite/PostgreSQL constraint violations to typed errors.
import { ConflictError, NotFoundError, StoreError, TenantError, ValidationError } from '../errors.ts';
import type { JsonValue, Page, PageRequest } from './types.ts';

/** Default and maximum page sizes. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Parses a JSON column; a corrupt value gives `fallback` rather than breaking a whole list. */
export function fromJson<T extends JsonValue>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** JSON text of a value for a JSON column. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** A page size from a request: default 50, 1…200. @throws {ValidationError} naming `limit`. */
export function pageSize(req: PageRequest | undefined): number {
  const n = req?.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new ValidationError('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return n;
}

/** An opaque cursor holding the sort key of the last item of a page. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The sort key inside a cursor, checked against the expected shape (`'s'` string, `'n'` number per position).
 * @throws {ValidationError} naming `cursor`.
 */
export function decodeCursor(cursor: string, shape: readonly ('s' | 'n')[]): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('cursor', 'is not a cursor from this API');
  }
  if (
    !Array.isArray(key) ||
    key.length !== shape.length ||
    !key.every((v, i) => (shape[i] === 's' ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v)))
  ) {
    throw new ValidationError('cursor', 'is not a cursor from this API');
  }
  return key as (string | number)[];
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more && items.length > 0 ? encodeCursor(key(items[items.length - 1])) : null };
}

/** Constraint name → the input field it protects and what to say. */
const UNIQUE: Record<string, { field: string; message: string }> = {
  tenants_domain_key: { field: 'domain', message: 'is already used by another tenant' },
  numbers_tenant_number_key: { field: 'number', message: 'is already a number of this tenant' },
  numbers_called_identity_key: { field: 'number', message: 'its called identity is already in use' },
  agents_tenant_extension_key: { field: 'extension', message: 'is already taken in this tenant' },
  telephony_gateway_username_key: { field: 'gatewayUsername', message: 'is already in use' },
  conversations_tenant_customer_key: { field: 'customer', message: 'already has a conversation' },
  flows_tenant_kind_version_key: { field: 'version', message: 'was saved concurrently; retry' },
  flows_one_published_idx: { field: 'published', message: 'another version was published concurrently; retry' },
  calls_pkey: { field: 'id', message: 'a call with this id exists' },
  outbox_id_key: { field: 'id', message: 'an event with this id exists' },
};

/** SQLite names the columns, not the constraint: `UNIQUE constraint failed: numbers.tenant_id, numbers.number`. */
const SQLITE_COLUMNS: Record<string, string> = {
  'tenants.domain': 'tenants_domain_key',
  'numbers.tenant_id, numbers.number': 'numbers_tenant_number_key',
  'numbers.called_identity': 'numbers_called_identity_key',
  'agents.tenant_id, agents.extension': 'agents_tenant_extension_key',
  'telephony.gateway_username': 'telephony_gateway_username_key',
  'conversations.tenant_id, conversations.customer': 'conversations_tenant_customer_key',
  'flows.tenant_id, flows.kind, flows.version': 'flows_tenant_kind_version_key',
  'flows.tenant_id, flows.kind': 'flows_one_published_idx',
  'calls.id': 'calls_pkey',
  'outbox.id': 'outbox_id_key',
};

interface DbErrorShape {
  code?: unknown;
  errcode?: unknown;
  message?: unknown;
  constraint_name?: unknown;
}

/** The name of the unique constraint a driver error reports, or `undefined` when it is not a unique violation. */
export function uniqueViolation(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DbErrorShape;
  if (e.code === '23505') return typeof e.constraint_name === 'string' ? e.constraint_name : 'unknown';
  if (e.code === 'ERR_SQLITE_ERROR' && (e.errcode === 2067 || e.errcode === 1555)) {
    const m = /constraint failed: (.*)$/.exec(String(e.message));
    return (m && SQLITE_COLUMNS[m[1]]) ?? 'unknown';
  }
  return undefined;
}

/** True for a foreign-key violation (a referenced row is missing). */
export function foreignKeyViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as DbErrorShape;
  return e.code === '23503' || (e.code === 'ERR_SQLITE_ERROR' && e.errcode === 787);
}

/**
 * Runs a write and maps driver errors to typed ones: a unique violation → {@link ConflictError} naming the
 * field; a foreign-key violation → {@link NotFoundError} of `parent`; anything else → {@link StoreError}.
 */
export async function guarded<T>(parent: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw toTypedError(err, parent);
  }
}

/** The typed error for a driver error (see {@link guarded}). */
export function toTypedError(err: unknown, parent = 'resource'): Error {
  if (err instanceof TenantError) return err;
  const unique = uniqueViolation(err);
  if (unique !== undefined) {
    const known = UNIQUE[unique];
    return known ? new ConflictError(known.field, known.message, { cause: err }) : new ConflictError('id', `conflicts with ${unique}`, { cause: err });
  }
  if (foreignKeyViolation(err)) return new NotFoundError(parent, `${parent} not found`, { cause: err });
  return new StoreError(`database error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
