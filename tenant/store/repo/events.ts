// Webhooks, the durable event outbox and per-webhook deliveries (at-least-once, ordered per call), and API keys stored as hashes.
import { sql } from 'kysely';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { generateApiKey, hashSecret, isEventType, newId, parseApiKey, safeEqual } from '../../model/index.ts';
import type { ApiKeysTable, DeliveriesTable, OutboxTable, WebhooksTable } from '../schema.ts';
import type {
  ApiKey,
  Delivery,
  DeliveryStatus,
  JsonObject,
  Page,
  PageRequest,
  StoredEvent,
  Webhook,
  WebhookWithSecret,
} from '../types.ts';
import { decodeCursor, fromJson, guarded, pageSize, toJson, toPage } from '../util.ts';
import { atomically, type RepoContext } from './context.ts';
import { validateName } from './tenants.ts';

/** Checks a webhook URL: absolute http(s), at most 2048 characters. @throws {ValidationError} naming `url`. */
export function validateWebhookUrl(input: unknown): string {
  if (typeof input !== 'string' || input.length === 0) throw new ValidationError('url', 'must be a non-empty string');
  if (input.length > 2048) throw new ValidationError('url', 'must be at most 2048 characters');
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new ValidationError('url', 'must be an absolute URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ValidationError('url', 'must be an http or https URL');
  if (u.username !== '' || u.password !== '') throw new ValidationError('url', 'must not carry credentials');
  return u.toString();
}

/** Checks a webhook signing secret: 16–256 printable characters. @throws {ValidationError} naming `secret`. */
export function validateWebhookSecret(input: unknown): string {
  if (typeof input !== 'string') throw new ValidationError('secret', 'must be a string');
  if (input.length < 16 || input.length > 256) throw new ValidationError('secret', 'must be 16 to 256 characters');
  if (/\p{Cc}/u.test(input)) throw new ValidationError('secret', 'must not contain control characters');
  return input;
}

/** Checks an event filter: null (all) or a non-empty list of known types. @throws {ValidationError} naming `events`. */
export function validateEventFilter(input: unknown): string[] | null {
  if (input === null || input === undefined) return null;
  if (!Array.isArray(input) || input.length === 0) throw new ValidationError('events', 'must be a non-empty array of event types, or null');
  input.forEach((t, i) => {
    if (typeof t !== 'string' || !isEventType(t)) throw new ValidationError(`events.${i}`, 'is not a known event type');
  });
  return [...new Set(input as string[])];
}

function webhookOf(r: WebhooksTable): WebhookWithSecret {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    url: r.url,
    events: r.events === null ? null : fromJson<string[]>(r.events, []),
    enabled: Number(r.enabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    secret: r.secret,
  };
}

function publicWebhook(w: WebhookWithSecret): Webhook {
  const { secret: _secret, ...rest } = w;
  return rest;
}

/** A tenant's webhook endpoints. The secret is write-only for the API (needed in clear to sign). */
export class WebhooksRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Registers a webhook. @throws {ValidationError} naming `url`, `secret` or `events`; {NotFoundError} for an unknown tenant. */
  async create(tenantId: string, input: { url: string; secret: string; events?: string[] | null; enabled?: boolean }): Promise<Webhook> {
    const now = this.#ctx.now();
    const row: WebhooksTable = {
      id: newId('wh', now),
      tenant_id: tenantId,
      url: validateWebhookUrl(input.url),
      secret: validateWebhookSecret(input.secret),
      events: ((e) => (e === null ? null : toJson(e)))(validateEventFilter(input.events)),
      enabled: input.enabled === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    };
    await guarded('tenant', () => this.#ctx.db.insertInto('webhooks').values(row).execute());
    return publicWebhook(webhookOf(row));
  }

  /** Changes a webhook. @throws {NotFoundError} {ValidationError} */
  async update(tenantId: string, id: string, patch: { url?: string; secret?: string; events?: string[] | null; enabled?: boolean }): Promise<Webhook> {
    const set: Partial<WebhooksTable> = { updated_at: this.#ctx.now() };
    if (patch.url !== undefined) set.url = validateWebhookUrl(patch.url);
    if (patch.secret !== undefined) set.secret = validateWebhookSecret(patch.secret);
    if (patch.events !== undefined) {
      const e = validateEventFilter(patch.events);
      set.events = e === null ? null : toJson(e);
    }
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    const r = await this.#ctx.db.updateTable('webhooks').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
    if (r === undefined) throw new NotFoundError('webhook');
    return publicWebhook(webhookOf(r));
  }

  /** A webhook of the tenant (without its secret), or `undefined`. */
  async get(tenantId: string, id: string): Promise<Webhook | undefined> {
    const r = await this.#ctx.db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && publicWebhook(webhookOf(r));
  }

  /** A webhook with its secret (the dispatcher), any tenant, or `undefined`. */
  async withSecret(id: string): Promise<WebhookWithSecret | undefined> {
    const r = await this.#ctx.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return r && webhookOf(r);
  }

  /** The tenant's webhooks in creation order, paginated. */
  async list(tenantId: string, req?: PageRequest): Promise<Page<Webhook>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(limit + 1);
    if (req?.cursor) q = q.where('id', '>', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, (r) => publicWebhook(webhookOf(r)), (r) => [r.id]);
  }

  /** Removes a webhook (and its pending deliveries). @returns false when there is none. */
  async remove(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#ctx.db.deleteFrom('webhooks').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** Fields of an event to append. */
export interface NewEvent {
  tenantId: string;
  type: string;
  /** Deliveries of events of the same call go out in order. */
  callId?: string | null;
  /** The agent the event is for (per-agent live streams). */
  agentId?: string | null;
  data: JsonObject;
}

/** An outbox row as selected (the generated seq read back as a number). */
type OutboxRow = Omit<OutboxTable, 'seq'> & { seq: number };

function eventOf(r: OutboxRow): StoredEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    callId: r.call_id,
    agentId: r.agent_id,
    data: fromJson<JsonObject>(r.data, {}),
    createdAt: Number(r.created_at),
  };
}

function deliveryOf(r: DeliveriesTable & { event_id: string }): Delivery {
  return {
    webhookId: r.webhook_id,
    eventSeq: Number(r.event_seq),
    eventId: r.event_id,
    tenantId: r.tenant_id,
    orderKey: r.order_key,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    createdAt: Number(r.created_at),
  };
}

/** A delivery that is due, with what the dispatcher needs to send it. */
export interface DueDelivery {
  delivery: Delivery;
  event: StoredEvent;
  webhook: { id: string; url: string; secret: string };
}

/** Filters of {@link OutboxRepo.list}. */
export interface EventFilter {
  type?: string;
  agentId?: string;
  callId?: string;
}

/**
 * The durable outbox: every event is a row (written in the transaction of the change that caused it) plus
 * one delivery row per subscribed webhook. Deliveries of the same call to the same webhook go out in order.
 */
export class OutboxRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Appends an event and its deliveries (atomically; inside the caller's transaction when there is one). */
  async append(e: NewEvent): Promise<StoredEvent> {
    const now = this.#ctx.now();
    return guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        const row = { id: newId('evt', now), tenant_id: e.tenantId, type: e.type, call_id: e.callId ?? null, agent_id: e.agentId ?? null, data: toJson(e.data), created_at: now };
        const { seq } = await db.insertInto('outbox').values(row).returning('seq').executeTakeFirstOrThrow();
        const hooks = await db.selectFrom('webhooks').select(['id', 'events']).where('tenant_id', '=', e.tenantId).where('enabled', '=', 1).execute();
        const subscribed = hooks.filter((h) => h.events === null || fromJson<string[]>(h.events, []).includes(e.type));
        if (subscribed.length > 0) {
          await db
            .insertInto('deliveries')
            .values(
              subscribed.map((h) => ({
                webhook_id: h.id, event_seq: Number(seq), tenant_id: e.tenantId, order_key: e.callId ?? null, status: 'pending', attempts: 0,
                next_attempt_at: now, lease_until: null, last_status: null, last_error: null, delivered_at: null, created_at: now,
              })),
            )
            .execute();
        }
        return eventOf({ ...row, seq: Number(seq) });
      }),
    );
  }

  /** An event of the tenant by id, or `undefined`. */
  async get(tenantId: string, eventId: string): Promise<StoredEvent | undefined> {
    const r = await this.#ctx.db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId).where('id', '=', eventId).executeTakeFirst();
    return r && eventOf(r);
  }

  /** The tenant's events, oldest first, paginated and filtered. */
  async list(tenantId: string, req?: PageRequest, filter: EventFilter = {}): Promise<Page<StoredEvent>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId).orderBy('seq').limit(limit + 1);
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    if (filter.agentId !== undefined) q = q.where('agent_id', '=', filter.agentId);
    if (filter.callId !== undefined) q = q.where('call_id', '=', filter.callId);
    if (req?.cursor) q = q.where('seq', '>', decodeCursor(req.cursor, ['n'])[0] as number);
    return toPage(await q.execute(), limit, eventOf, (r) => [Number(r.seq)]);
  }

  /** Events of the tenant after `afterSeq` (live stream replay), at most `limit`, optionally only one agent's. */
  async since(tenantId: string, afterSeq: number, opts: { agentId?: string; limit?: number } = {}): Promise<StoredEvent[]> {
    let q = this.#ctx.db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId).where('seq', '>', afterSeq).orderBy('seq').limit(opts.limit ?? 1000);
    if (opts.agentId !== undefined) q = q.where('agent_id', '=', opts.agentId);
    return (await q.execute()).map(eventOf);
  }

  /** Events of any tenant after `afterSeq` (a node catching up on events written by other nodes). */
  async after(afterSeq: number, limit = 1000): Promise<StoredEvent[]> {
    return (await this.#ctx.db.selectFrom('outbox').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()).map(eventOf);
  }

  /** The highest sequence number written so far (0 when empty). */
  async lastSeq(): Promise<number> {
    const r = await this.#ctx.db.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    return Number(r?.m ?? 0);
  }

  /** Deliveries of the tenant, optionally of one event or one webhook, oldest first, paginated. */
  async deliveries(tenantId: string, req?: PageRequest, filter: { eventId?: string; webhookId?: string; status?: DeliveryStatus } = {}): Promise<Page<Delivery>> {
    const limit = pageSize(req);
    let q = this.#ctx.db
      .selectFrom('deliveries')
      .innerJoin('outbox', 'outbox.seq', 'deliveries.event_seq')
      .selectAll('deliveries')
      .select('outbox.id as event_id')
      .where('deliveries.tenant_id', '=', tenantId)
      .orderBy('deliveries.event_seq')
      .orderBy('deliveries.webhook_id')
      .limit(limit + 1);
    if (filter.eventId !== undefined) q = q.where('outbox.id', '=', filter.eventId);
    if (filter.webhookId !== undefined) q = q.where('deliveries.webhook_id', '=', filter.webhookId);
    if (filter.status !== undefined) q = q.where('deliveries.status', '=', filter.status);
    if (req?.cursor) {
      const [seq, wh] = decodeCursor(req.cursor, ['n', 's']) as [number, string];
      q = q.where((eb) => eb.or([eb('deliveries.event_seq', '>', seq), eb.and([eb('deliveries.event_seq', '=', seq), eb('deliveries.webhook_id', '>', wh)])]));
    }
    return toPage(await q.execute(), limit, deliveryOf, (r) => [Number(r.event_seq), r.webhook_id]);
  }

  /**
   * Deliveries due at `now` and free to send: pending, not leased, and not behind an earlier pending
   * delivery of the same call to the same webhook. Oldest event first.
   */
  async due(now: number, limit: number): Promise<DueDelivery[]> {
    const rows = await this.#ctx.db
      .selectFrom('deliveries as d')
      .innerJoin('outbox as o', 'o.seq', 'd.event_seq')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .selectAll('d')
      .select(['o.id as event_id', 'o.type', 'o.call_id', 'o.agent_id', 'o.data', 'o.created_at as event_created_at', 'w.url', 'w.secret'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', now)]))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('deliveries as p')
              .select(sql.lit(1).as('one'))
              .whereRef('p.webhook_id', '=', 'd.webhook_id')
              .whereRef('p.order_key', '=', 'd.order_key')
              .whereRef('p.event_seq', '<', 'd.event_seq')
              .where('p.status', '=', 'pending'),
          ),
        ),
      )
      .orderBy('d.event_seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      delivery: deliveryOf(r),
      event: {
        seq: Number(r.event_seq), id: r.event_id, tenantId: r.tenant_id, type: r.type, callId: r.call_id, agentId: r.agent_id,
        data: fromJson<JsonObject>(r.data, {}), createdAt: Number(r.event_created_at),
      },
      webhook: { id: r.webhook_id, url: r.url, secret: r.secret },
    }));
  }

  /** Takes a delivery for sending until `leaseUntil` (one sender per delivery across nodes). @returns true when taken. */
  async claim(webhookId: string, eventSeq: number, now: number, leaseUntil: number): Promise<boolean> {
    const r = await this.#ctx.db
      .updateTable('deliveries')
      .set({ lease_until: leaseUntil })
      .where('webhook_id', '=', webhookId)
      .where('event_seq', '=', eventSeq)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Records a successful attempt. */
  async delivered(webhookId: string, eventSeq: number, status: number, at: number): Promise<void> {
    await this.#ctx.db
      .updateTable('deliveries')
      .set((eb) => ({ status: 'delivered', attempts: eb('attempts', '+', 1), delivered_at: at, lease_until: null, last_status: status, last_error: null }))
      .where('webhook_id', '=', webhookId)
      .where('event_seq', '=', eventSeq)
      .execute();
  }

  /** Records a failed attempt: retried at `nextAttemptAt`, or given up (`failed`) when `giveUp`. */
  async attemptFailed(webhookId: string, eventSeq: number, r: { status: number | null; error: string; nextAttemptAt: number; giveUp: boolean }): Promise<void> {
    await this.#ctx.db
      .updateTable('deliveries')
      .set((eb) => ({
        status: r.giveUp ? 'failed' : 'pending',
        attempts: eb('attempts', '+', 1),
        next_attempt_at: r.nextAttemptAt,
        lease_until: null,
        last_status: r.status,
        last_error: r.error.slice(0, 500),
      }))
      .where('webhook_id', '=', webhookId)
      .where('event_seq', '=', eventSeq)
      .execute();
  }

  /** When the next pending delivery becomes due (its lease counted), or `undefined` when none is pending. */
  async nextDueAt(): Promise<number | undefined> {
    const r = await this.#ctx.db
      .selectFrom('deliveries')
      .select(sql<number | null>`min(case when lease_until is not null and lease_until > next_attempt_at then lease_until else next_attempt_at end)`.as('at'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /**
   * Sends an event again: every currently enabled webhook of the tenant that takes its type (or only
   * `webhookId`) gets a pending delivery due now (a delivered or failed one is reset).
   * @returns how many deliveries were scheduled. @throws {NotFoundError} for an unknown event.
   */
  async replay(tenantId: string, eventId: string, webhookId?: string): Promise<number> {
    return atomically(this.#ctx, async (db) => {
      const ev = await db.selectFrom('outbox').select(['seq', 'type', 'call_id']).where('tenant_id', '=', tenantId).where('id', '=', eventId).executeTakeFirst();
      if (ev === undefined) throw new NotFoundError('event');
      let q = db.selectFrom('webhooks').select(['id', 'events']).where('tenant_id', '=', tenantId).where('enabled', '=', 1);
      if (webhookId !== undefined) q = q.where('id', '=', webhookId);
      const hooks = (await q.execute()).filter((h) => h.events === null || fromJson<string[]>(h.events, []).includes(ev.type));
      if (webhookId !== undefined && hooks.length === 0) throw new NotFoundError('webhook');
      const now = this.#ctx.now();
      for (const h of hooks) {
        await db
          .insertInto('deliveries')
          .values({
            webhook_id: h.id, event_seq: Number(ev.seq), tenant_id: tenantId, order_key: ev.call_id, status: 'pending', attempts: 0,
            next_attempt_at: now, lease_until: null, last_status: null, last_error: null, delivered_at: null, created_at: now,
          })
          .onConflict((oc) => oc.columns(['webhook_id', 'event_seq']).doUpdateSet({ status: 'pending', next_attempt_at: now, lease_until: null }))
          .execute();
      }
      return hooks.length;
    });
  }
}

function apiKeyOf(r: ApiKeysTable): ApiKey {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

/** Per-tenant API keys: only a SHA-256 of the secret part is stored; the token is shown once. */
export class ApiKeysRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Creates a key. @returns the key record and the bearer token (never stored). @throws {ValidationError} {NotFoundError} */
  async create(tenantId: string, name: string): Promise<{ apiKey: ApiKey; token: string }> {
    const now = this.#ctx.now();
    const id = newId('key', now);
    const { token, hash } = generateApiKey(id);
    const row: ApiKeysTable = { id, tenant_id: tenantId, name: validateName(name), hash, created_at: now, last_used_at: null, revoked_at: null };
    await guarded('tenant', () => this.#ctx.db.insertInto('api_keys').values(row).execute());
    return { apiKey: apiKeyOf(row), token };
  }

  /**
   * The live key a bearer token belongs to, or `undefined` (unknown, wrong secret, revoked). Touches
   * `lastUsedAt` at most once a minute.
   */
  async verify(token: string): Promise<ApiKey | undefined> {
    const parts = parseApiKey(token);
    if (parts === undefined) return undefined;
    const r = await this.#ctx.db.selectFrom('api_keys').selectAll().where('id', '=', parts.keyId).executeTakeFirst();
    if (r === undefined || r.revoked_at !== null || !safeEqual(r.hash, hashSecret(parts.secret))) return undefined;
    const now = this.#ctx.now();
    if (r.last_used_at === null || now - Number(r.last_used_at) > 60_000) {
      await this.#ctx.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', r.id).execute();
      r.last_used_at = now;
    }
    return apiKeyOf(r);
  }

  /** The tenant's keys (never their secrets), oldest first, paginated. */
  async list(tenantId: string, req?: PageRequest): Promise<Page<ApiKey>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(limit + 1);
    if (req?.cursor) q = q.where('id', '>', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, apiKeyOf, (r) => [r.id]);
  }

  /** Revokes a key (kept for the record). @returns false when the tenant has no such live key. */
  async revoke(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#ctx.db
      .updateTable('api_keys')
      .set({ revoked_at: this.#ctx.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
