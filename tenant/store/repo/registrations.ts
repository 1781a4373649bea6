// Registration bindings (the registrar's location service, RFC 3261 §10.3 step 7) kept per canonical AOR and owned by a tenant, and published inbound flows with their versions.
import type { Binding } from '../../../engine/sip/registrar/index.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { newId } from '../../model/index.ts';
import type { FlowsTable, RegistrationsTable } from '../schema.ts';
import type { Flow, FlowKind, JsonObject, Page, PageRequest, RegistrationKind, StoredBinding } from '../types.ts';
import { decodeCursor, fromJson, guarded, pageSize, toJson, toPage } from '../util.ts';
import { atomically, type RepoContext } from './context.ts';

function storedOf(r: Pick<RegistrationsTable, 'tenant_id' | 'kind' | 'binding'>): StoredBinding {
  return { tenantId: r.tenant_id, kind: r.kind === 'gateway' ? 'gateway' : 'agent', binding: JSON.parse(r.binding) as Binding };
}

/** Bindings per AOR; a `put` replaces an AOR's whole set atomically (what the registrar's BindingStore needs). */
export class RegistrationsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Replaces every binding of `aor` (owned by `tenantId`, of `kind`) with `bindings`; an empty list removes the AOR. */
  async put(aor: string, owner: { tenantId: string; kind: RegistrationKind }, bindings: readonly Binding[]): Promise<void> {
    const now = this.#ctx.now();
    await guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        await db.deleteFrom('registrations').where('aor', '=', aor).execute();
        if (bindings.length === 0) return;
        await db
          .insertInto('registrations')
          .values(
            bindings.map((b) => ({
              aor,
              contact: b.contact,
              tenant_id: owner.tenantId,
              kind: owner.kind,
              binding: toJson(b),
              expires_at: b.expiresAt,
              updated_at: now,
            })),
          )
          .execute();
      }),
    );
  }

  /** The stored bindings of `aor` (expired ones included: the registrar filters by time). */
  async get(aor: string): Promise<Binding[]> {
    const rows = await this.#ctx.db.selectFrom('registrations').select(['tenant_id', 'kind', 'binding']).where('aor', '=', aor).execute();
    return rows.map((r) => storedOf(r).binding);
  }

  /** A tenant's bindings that have not expired at `now`, gateways or agents or both, oldest registration first. */
  async byTenant(tenantId: string, opts: { kind?: RegistrationKind; now?: number } = {}): Promise<StoredBinding[]> {
    let q = this.#ctx.db
      .selectFrom('registrations')
      .select(['tenant_id', 'kind', 'binding'])
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', opts.now ?? this.#ctx.now())
      .orderBy('aor')
      .orderBy('contact');
    if (opts.kind !== undefined) q = q.where('kind', '=', opts.kind);
    return (await q.execute()).map(storedOf).sort((a, b) => a.binding.registeredAt - b.binding.registeredAt);
  }

  /** Every binding that has not expired at `now` (cache loading at start). */
  async live(now = this.#ctx.now()): Promise<StoredBinding[]> {
    const rows = await this.#ctx.db.selectFrom('registrations').select(['tenant_id', 'kind', 'binding']).where('expires_at', '>', now).execute();
    return rows.map(storedOf);
  }

  /** Deletes bindings that expired before `now`. @returns how many. */
  async purgeExpired(now = this.#ctx.now()): Promise<number> {
    const r = await this.#ctx.db.deleteFrom('registrations').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function flowOf(r: FlowsTable): Flow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    kind: r.kind as FlowKind,
    version: Number(r.version),
    document: fromJson<JsonObject>(r.document, {}),
    published: Number(r.published) === 1,
    createdAt: Number(r.created_at),
    publishedAt: r.published_at === null ? null : Number(r.published_at),
  };
}

/** Versioned flow documents; at most one published flow per tenant and kind. Validation happens before (the IVR's validator). */
export class FlowsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Saves `document` as the next version of the tenant's `kind` flow, and publishes it unless `publish` is false.
   * @throws {NotFoundError} for an unknown tenant. {ValidationError} naming `document` when it is not an object.
   */
  async save(tenantId: string, kind: FlowKind, document: JsonObject, opts: { publish?: boolean } = {}): Promise<Flow> {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ValidationError('document', 'must be an object');
    const publish = opts.publish !== false;
    return guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        const t = await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
        if (t === undefined) throw new NotFoundError('tenant');
        const last = await db
          .selectFrom('flows')
          .select((eb) => eb.fn.max('version').as('v'))
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', kind)
          .executeTakeFirst();
        const now = this.#ctx.now();
        if (publish) await db.updateTable('flows').set({ published: 0 }).where('tenant_id', '=', tenantId).where('kind', '=', kind).where('published', '=', 1).execute();
        const row: FlowsTable = {
          id: newId('flw', now),
          tenant_id: tenantId,
          kind,
          version: Number(last?.v ?? 0) + 1,
          document: toJson(document),
          published: publish ? 1 : 0,
          created_at: now,
          published_at: publish ? now : null,
        };
        await db.insertInto('flows').values(row).execute();
        return flowOf(row);
      }),
    );
  }

  /** Publishes an existing version (e.g. to roll back). @throws {NotFoundError} */
  async publish(tenantId: string, flowId: string): Promise<Flow> {
    return guarded('flow', () =>
      atomically(this.#ctx, async (db) => {
        const f = await db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', flowId).executeTakeFirst();
        if (f === undefined) throw new NotFoundError('flow');
        await db.updateTable('flows').set({ published: 0 }).where('tenant_id', '=', tenantId).where('kind', '=', f.kind).where('published', '=', 1).execute();
        const r = await db.updateTable('flows').set({ published: 1, published_at: this.#ctx.now() }).where('id', '=', flowId).returningAll().executeTakeFirstOrThrow();
        return flowOf(r);
      }),
    );
  }

  /** The published flow of a tenant and kind, or `undefined`. */
  async published(tenantId: string, kind: FlowKind): Promise<Flow | undefined> {
    const r = await this.#ctx.db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind).where('published', '=', 1).executeTakeFirst();
    return r && flowOf(r);
  }

  /** Every published flow (cache loading). */
  async allPublished(): Promise<Flow[]> {
    return (await this.#ctx.db.selectFrom('flows').selectAll().where('published', '=', 1).execute()).map(flowOf);
  }

  /** A version by id, or `undefined`. */
  async get(tenantId: string, flowId: string): Promise<Flow | undefined> {
    const r = await this.#ctx.db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', flowId).executeTakeFirst();
    return r && flowOf(r);
  }

  /** Versions of a tenant's `kind` flow, newest first, paginated. */
  async versions(tenantId: string, kind: FlowKind, req?: PageRequest): Promise<Page<Flow>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind).orderBy('version', 'desc').limit(limit + 1);
    if (req?.cursor) q = q.where('version', '<', decodeCursor(req.cursor, ['n'])[0] as number);
    return toPage(await q.execute(), limit, flowOf, (r) => [Number(r.version)]);
  }
}
