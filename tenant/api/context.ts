// What the admin API's routes share: the store, the directory cache, the flow validator, the data directory, the live event source, and the caller's principal.
import type { FastifyRequest } from 'fastify';
import type { TenantDirectory } from '../directory/index.ts';
import type { Logger } from '../log.ts';
import type { StoredEvent, Store, Tenant } from '../store/index.ts';
import type { FlowValidator } from './flow-validator.ts';

/** Who is calling: the operator (every tenant) or one tenant's API key. */
export type Principal = { kind: 'operator' } | { kind: 'tenant'; tenantId: string; keyId: string };

/** A live event source for the stream route (implemented by tenant/events). */
export interface LiveEvents {
  /** Calls `fn` with every event committed from now on; returns an unsubscribe function. */
  subscribe(fn: (event: StoredEvent) => void): () => void;
}

/** Shared by every route. */
export interface ApiContext {
  store: Store;
  directory: TenantDirectory | undefined;
  flows: FlowValidator;
  dataDir: string;
  log: Logger;
  live: LiveEvents | undefined;
  /** Called after events were (re)scheduled for delivery: wakes the webhook dispatcher. */
  wake: () => void;
  /** Seconds between SSE keep-alive comments. */
  sseHeartbeatMs: number;
  /** Refreshes the directory cache (and other nodes) after a change to a tenant. */
  tenantChanged(tenantId: string): Promise<void>;
}

const principals = new WeakMap<FastifyRequest, Principal>();
const tenants = new WeakMap<FastifyRequest, Tenant>();

/** Records the authenticated principal of a request. */
export function setPrincipal(req: FastifyRequest, p: Principal): void {
  principals.set(req, p);
}

/** The authenticated principal (routes run only after authentication). */
export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req);
  if (p === undefined) throw new Error('request was not authenticated');
  return p;
}

/** Records the tenant a tenant-scoped request addresses (after the isolation check). */
export function setTenant(req: FastifyRequest, t: Tenant): void {
  tenants.set(req, t);
}

/** The tenant of a tenant-scoped route (`/tenants/:tenantId/…`), checked visible to the caller. */
export function tenantOf(req: FastifyRequest): Tenant {
  const t = tenants.get(req);
  if (t === undefined) throw new Error('route has no tenant');
  return t;
}
