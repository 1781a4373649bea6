// Tenants, their service numbers, agents and telephony integration: the "who is who" tables with their uniqueness rules (domain global, number per tenant, called identity global, extension per tenant).
import { NotFoundError, ValidationError } from '../../errors.ts';
import {
  generateGatewayUsername,
  generatePassword,
  type Ha1Pair,
  ha1Pair,
  newId,
  normalizeDomain,
  normalizeExtension,
  normalizeNumber,
  validatePassword,
} from '../../model/index.ts';
import type { AgentsTable, NumbersTable, TelephonyTable, TenantsTable } from '../schema.ts';
import type {
  Agent,
  AgentWithCredentials,
  Page,
  PageRequest,
  ServiceNumber,
  Telephony,
  TelephonyWithCredentials,
  Tenant,
  TenantSettings,
} from '../types.ts';
import { decodeCursor, fromJson, guarded, pageSize, toJson, toPage } from '../util.ts';
import { atomically, type RepoContext } from './context.ts';

/** Longest tenant or agent display name. */
export const MAX_NAME_LENGTH = 200;

/** Checks and trims a display name. @throws {ValidationError} naming `field`. */
export function validateName(input: unknown, field = 'name'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  const s = input.trim();
  if (s.length === 0) throw new ValidationError(field, 'must not be empty');
  if (s.length > MAX_NAME_LENGTH) throw new ValidationError(field, `must be at most ${MAX_NAME_LENGTH} characters`);
  if (/\p{Cc}/u.test(s)) throw new ValidationError(field, 'must not contain control characters');
  return s;
}

/** Checks tenant settings. @throws {ValidationError} naming `settings.<key>`. */
export function validateSettings(input: unknown): TenantSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError('settings', 'must be an object');
  const s = input as Record<string, unknown>;
  const out: TenantSettings = {};
  for (const [k, v] of Object.entries(s)) {
    switch (k) {
      case 'recordCalls':
        if (typeof v !== 'boolean') throw new ValidationError('settings.recordCalls', 'must be a boolean');
        out.recordCalls = v;
        break;
      case 'wrapUpSeconds':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3600) throw new ValidationError('settings.wrapUpSeconds', 'must be an integer from 0 to 3600');
        out.wrapUpSeconds = v;
        break;
      case 'maxConcurrentCalls':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100_000) throw new ValidationError('settings.maxConcurrentCalls', 'must be an integer from 1 to 100000');
        out.maxConcurrentCalls = v;
        break;
      default:
        throw new ValidationError(`settings.${k}`, 'is not a known setting');
    }
  }
  return out;
}

function tenantOf(r: TenantsTable): Tenant {
  return {
    id: r.id,
    name: r.name,
    domain: r.domain,
    settings: fromJson(r.settings, {}) as TenantSettings,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function numberOf(r: NumbersTable): ServiceNumber {
  return { id: r.id, tenantId: r.tenant_id, number: r.number, calledIdentity: r.called_identity, createdAt: Number(r.created_at) };
}

function agentOf(r: AgentsTable): Agent {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    extension: r.extension,
    name: r.name,
    away: Number(r.away) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function telephonyOf(r: TelephonyTable): TelephonyWithCredentials {
  return {
    tenantId: r.tenant_id,
    enabled: Number(r.enabled) === 1,
    gatewayUsername: r.gateway_username,
    updatedAt: Number(r.updated_at),
    gatewayHa1: r.gateway_ha1_md5 !== null && r.gateway_ha1_sha256 !== null ? { md5: r.gateway_ha1_md5, sha256: r.gateway_ha1_sha256 } : null,
  };
}

function withoutCredentials(t: TelephonyWithCredentials): Telephony {
  return { tenantId: t.tenantId, enabled: t.enabled, gatewayUsername: t.gatewayUsername, updatedAt: t.updatedAt };
}

/** Tenants: name, unique normalised domain, settings. Creating a tenant also creates its (disabled) telephony row. */
export class TenantsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates a tenant.
   * @throws {ValidationError} naming `name`, `domain` or `settings.*`.
   * @throws {ConflictError} naming `domain` when another tenant has it (compared after normalisation).
   */
  async create(input: { name: string; domain: string; settings?: TenantSettings }): Promise<Tenant> {
    const name = validateName(input.name);
    const domain = normalizeDomain(input.domain);
    const settings = validateSettings(input.settings ?? {});
    const now = this.#ctx.now();
    const row: TenantsTable = { id: newId('tn', now), name, domain, settings: toJson(settings), created_at: now, updated_at: now };
    await guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        await db.insertInto('tenants').values(row).execute();
        await db.insertInto('telephony').values({ tenant_id: row.id, enabled: 0, gateway_username: null, gateway_ha1_md5: null, gateway_ha1_sha256: null, updated_at: now }).execute();
      }),
    );
    return tenantOf(row);
  }

  /** The tenant with `id`, or `undefined`. */
  async get(id: string): Promise<Tenant | undefined> {
    const r = await this.#ctx.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r && tenantOf(r);
  }

  /** The tenant with `id`. @throws {NotFoundError} */
  async require(id: string): Promise<Tenant> {
    const t = await this.get(id);
    if (t === undefined) throw new NotFoundError('tenant');
    return t;
  }

  /** The tenant serving `domain` (normalised first), or `undefined` (also for an invalid domain). */
  async getByDomain(domain: string): Promise<Tenant | undefined> {
    let d: string;
    try {
      d = normalizeDomain(domain);
    } catch {
      return undefined;
    }
    const r = await this.#ctx.db.selectFrom('tenants').selectAll().where('domain', '=', d).executeTakeFirst();
    return r && tenantOf(r);
  }

  /** Tenants in creation order, paginated; `only` restricts to one id (a tenant API key sees its own tenant). */
  async list(req?: PageRequest, only?: string): Promise<Page<Tenant>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('tenants').selectAll().orderBy('id').limit(limit + 1);
    if (req?.cursor) q = q.where('id', '>', decodeCursor(req.cursor, ['s'])[0] as string);
    if (only !== undefined) q = q.where('id', '=', only);
    return toPage(await q.execute(), limit, tenantOf, (r) => [r.id]);
  }

  /** Every tenant (cache loading). */
  async all(): Promise<Tenant[]> {
    return (await this.#ctx.db.selectFrom('tenants').selectAll().orderBy('id').execute()).map(tenantOf);
  }

  /**
   * Changes the name and/or settings (the domain is the digest realm of every stored HA1: it cannot change).
   * @throws {NotFoundError} {ValidationError}
   */
  async update(id: string, patch: { name?: string; settings?: TenantSettings }): Promise<Tenant> {
    const set: Partial<TenantsTable> = { updated_at: this.#ctx.now() };
    if (patch.name !== undefined) set.name = validateName(patch.name);
    if (patch.settings !== undefined) set.settings = toJson(validateSettings(patch.settings));
    const r = await guarded('tenant', () => this.#ctx.db.updateTable('tenants').set(set).where('id', '=', id).returningAll().executeTakeFirst());
    if (r === undefined) throw new NotFoundError('tenant');
    return tenantOf(r);
  }

  /** Deletes a tenant and everything it owns. @returns false when it did not exist. */
  async delete(id: string): Promise<boolean> {
    const r = await this.#ctx.db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** Service numbers: normalised, unique per tenant; the called identity `number@domain` unique globally. */
export class NumbersRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Adds a service number to a tenant.
   * @throws {NotFoundError} for an unknown tenant. {ValidationError} naming `number`.
   * @throws {ConflictError} naming `number` when the tenant has it already (or its called identity is taken).
   */
  async add(tenantId: string, number: string): Promise<ServiceNumber> {
    const n = normalizeNumber(number);
    return guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        const t = await db.selectFrom('tenants').select('domain').where('id', '=', tenantId).executeTakeFirst();
        if (t === undefined) throw new NotFoundError('tenant');
        const now = this.#ctx.now();
        const row: NumbersTable = { id: newId('num', now), tenant_id: tenantId, number: n, called_identity: `${n}@${t.domain}`, created_at: now };
        await db.insertInto('numbers').values(row).execute();
        return numberOf(row);
      }),
    );
  }

  /** A number of the tenant by id, or `undefined`. */
  async get(tenantId: string, id: string): Promise<ServiceNumber | undefined> {
    const r = await this.#ctx.db.selectFrom('numbers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && numberOf(r);
  }

  /** The number whose called identity is `calledIdentity` (already normalised `number@domain`), any tenant. */
  async byCalledIdentity(calledIdentity: string): Promise<ServiceNumber | undefined> {
    const r = await this.#ctx.db.selectFrom('numbers').selectAll().where('called_identity', '=', calledIdentity).executeTakeFirst();
    return r && numberOf(r);
  }

  /** The tenant's numbers in creation order, paginated. */
  async list(tenantId: string, req?: PageRequest): Promise<Page<ServiceNumber>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('numbers').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(limit + 1);
    if (req?.cursor) q = q.where('id', '>', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, numberOf, (r) => [r.id]);
  }

  /** Every number of a tenant, or of all tenants (cache loading). */
  async all(tenantId?: string): Promise<ServiceNumber[]> {
    let q = this.#ctx.db.selectFrom('numbers').selectAll().orderBy('id');
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    return (await q.execute()).map(numberOf);
  }

  /** Removes a number. @returns false when the tenant has no such number. */
  async remove(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#ctx.db.deleteFrom('numbers').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** Agents: extension unique per tenant, display name, digest HA1s (realm = the tenant's domain), manual away. */
export class AgentsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates an agent; the password is kept only as HA1 hashes (MD5 and SHA-256).
   * @throws {NotFoundError} {ValidationError} naming `extension`, `name` or `password`.
   * @throws {ConflictError} naming `extension` when the tenant already has it.
   */
  async create(tenantId: string, input: { extension: string; name: string; password: string }): Promise<Agent> {
    const extension = normalizeExtension(input.extension);
    const name = validateName(input.name);
    const password = validatePassword(input.password);
    return guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        const t = await db.selectFrom('tenants').select('domain').where('id', '=', tenantId).executeTakeFirst();
        if (t === undefined) throw new NotFoundError('tenant');
        const ha1 = ha1Pair(extension, t.domain, password);
        const now = this.#ctx.now();
        const row: AgentsTable = {
          id: newId('ag', now), tenant_id: tenantId, extension, name, ha1_md5: ha1.md5, ha1_sha256: ha1.sha256, away: 0, created_at: now, updated_at: now,
        };
        await db.insertInto('agents').values(row).execute();
        return agentOf(row);
      }),
    );
  }

  /** An agent of the tenant, or `undefined`. */
  async get(tenantId: string, id: string): Promise<Agent | undefined> {
    const r = await this.#ctx.db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && agentOf(r);
  }

  /** An agent of the tenant by extension (normalised first), or `undefined`. */
  async getByExtension(tenantId: string, extension: string): Promise<Agent | undefined> {
    let e: string;
    try {
      e = normalizeExtension(extension);
    } catch {
      return undefined;
    }
    const r = await this.#ctx.db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('extension', '=', e).executeTakeFirst();
    return r && agentOf(r);
  }

  /** The tenant's agents in creation order, paginated. */
  async list(tenantId: string, req?: PageRequest): Promise<Page<Agent>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(limit + 1);
    if (req?.cursor) q = q.where('id', '>', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, agentOf, (r) => [r.id]);
  }

  /** Agents with their HA1s, of one tenant or all (credential cache loading). */
  async allWithCredentials(tenantId?: string): Promise<AgentWithCredentials[]> {
    let q = this.#ctx.db.selectFrom('agents').selectAll().orderBy('id');
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    return (await q.execute()).map((r) => ({ ...agentOf(r), ha1: { md5: r.ha1_md5, sha256: r.ha1_sha256 } }));
  }

  /**
   * Changes name, password (new HA1s) and/or away.
   * @throws {NotFoundError} {ValidationError}
   */
  async update(tenantId: string, id: string, patch: { name?: string; password?: string; away?: boolean }): Promise<Agent> {
    const set: Partial<AgentsTable> = { updated_at: this.#ctx.now() };
    if (patch.name !== undefined) set.name = validateName(patch.name);
    if (patch.away !== undefined) {
      if (typeof patch.away !== 'boolean') throw new ValidationError('away', 'must be a boolean');
      set.away = patch.away ? 1 : 0;
    }
    const password = patch.password === undefined ? undefined : validatePassword(patch.password);
    return guarded('agent', () =>
      atomically(this.#ctx, async (db) => {
        const cur = await db
          .selectFrom('agents')
          .innerJoin('tenants', 'tenants.id', 'agents.tenant_id')
          .select(['agents.extension', 'tenants.domain'])
          .where('agents.tenant_id', '=', tenantId)
          .where('agents.id', '=', id)
          .executeTakeFirst();
        if (cur === undefined) throw new NotFoundError('agent');
        if (password !== undefined) {
          const ha1 = ha1Pair(cur.extension, cur.domain, password);
          set.ha1_md5 = ha1.md5;
          set.ha1_sha256 = ha1.sha256;
        }
        const r = await db.updateTable('agents').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
        return agentOf(r);
      }),
    );
  }

  /** Removes an agent. @returns false when the tenant has no such agent. */
  async remove(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#ctx.db.deleteFrom('agents').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** What {@link TelephonyRepo.enable} did: the state, and the gateway password when one was issued now. */
export interface TelephonyEnableResult {
  telephony: Telephony;
  /** The new gateway password, shown once; `undefined` when the existing account was kept. */
  password: string | undefined;
}

/** The telephony integration of each tenant: enabled flag and the gateway account (username + HA1s). */
export class TelephonyRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** The tenant's telephony state. @throws {NotFoundError} for an unknown tenant. */
  async get(tenantId: string): Promise<Telephony> {
    return withoutCredentials(await this.getWithCredentials(tenantId));
  }

  /** With the gateway HA1s (credential cache). @throws {NotFoundError} */
  async getWithCredentials(tenantId: string): Promise<TelephonyWithCredentials> {
    const r = await this.#ctx.db.selectFrom('telephony').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    if (r === undefined) throw new NotFoundError('tenant');
    return telephonyOf(r);
  }

  /** Every tenant's telephony with credentials (cache loading). */
  async allWithCredentials(): Promise<TelephonyWithCredentials[]> {
    return (await this.#ctx.db.selectFrom('telephony').selectAll().execute()).map(telephonyOf);
  }

  /**
   * Turns the integration on. The first time (or with `rotatePassword`) it issues the gateway account:
   * a `gw-…` username (kept across rotations) and a generated password, stored as HA1s only.
   * @throws {NotFoundError}
   */
  async enable(tenantId: string, opts: { rotatePassword?: boolean } = {}): Promise<TelephonyEnableResult> {
    return guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        const row = await db
          .selectFrom('telephony')
          .innerJoin('tenants', 'tenants.id', 'telephony.tenant_id')
          .selectAll('telephony')
          .select('tenants.domain')
          .where('telephony.tenant_id', '=', tenantId)
          .executeTakeFirst();
        if (row === undefined) throw new NotFoundError('tenant');
        const now = this.#ctx.now();
        const set: Partial<TelephonyTable> = { enabled: 1, updated_at: now };
        let password: string | undefined;
        if (row.gateway_username === null || row.gateway_ha1_md5 === null || opts.rotatePassword === true) {
          const username = row.gateway_username ?? generateGatewayUsername();
          password = generatePassword();
          const ha1: Ha1Pair = ha1Pair(username, row.domain, password);
          set.gateway_username = username;
          set.gateway_ha1_md5 = ha1.md5;
          set.gateway_ha1_sha256 = ha1.sha256;
        }
        const r = await db.updateTable('telephony').set(set).where('tenant_id', '=', tenantId).returningAll().executeTakeFirstOrThrow();
        return { telephony: withoutCredentials(telephonyOf(r)), password };
      }),
    );
  }

  /** Turns the integration off (the account is kept: enabling again reuses it). @throws {NotFoundError} */
  async disable(tenantId: string): Promise<Telephony> {
    const r = await this.#ctx.db
      .updateTable('telephony')
      .set({ enabled: 0, updated_at: this.#ctx.now() })
      .where('tenant_id', '=', tenantId)
      .returningAll()
      .executeTakeFirst();
    if (r === undefined) throw new NotFoundError('tenant');
    return withoutCredentials(telephonyOf(r));
  }
}

