// What happened: call detail records, recordings, customer conversations and their messages, and customer → last agent affinity.
import { NotFoundError, ValidationError } from '../../errors.ts';
import { newId, normalizeNumber } from '../../model/index.ts';
import type { AffinityTable, CallsTable, ConversationsTable, MessagesTable, RecordingsTable } from '../schema.ts';
import type {
  Affinity,
  CallDirection,
  CallRecord,
  Conversation,
  JsonObject,
  Message,
  MessageKind,
  Page,
  PageRequest,
  Recording,
} from '../types.ts';
import { decodeCursor, fromJson, guarded, pageSize, toJson, toPage } from '../util.ts';
import { atomically, type RepoContext } from './context.ts';

const nullableNumber = (v: number | null): number | null => (v === null ? null : Number(v));

function callOf(r: CallsTable): CallRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    direction: r.direction as CallDirection,
    customer: r.customer,
    number: r.number,
    agentId: r.agent_id,
    startedAt: Number(r.started_at),
    answeredAt: nullableNumber(r.answered_at),
    endedAt: nullableNumber(r.ended_at),
    disposition: r.disposition,
    legs: fromJson<JsonObject[]>(r.legs, []),
    flowPath: fromJson<string[]>(r.flow_path, []),
    quality: fromJson<JsonObject>(r.quality, {}),
  };
}

/** Fields of a new call record; `id` defaults to a new `call_…` id (the engine may pass its own). */
export interface NewCall {
  id?: string;
  tenantId: string;
  direction: CallDirection;
  customer: string;
  number?: string | null;
  agentId?: string | null;
  startedAt?: number;
  answeredAt?: number | null;
  endedAt?: number | null;
  disposition?: string | null;
  legs?: JsonObject[];
  flowPath?: string[];
  quality?: JsonObject;
}

/** Changes to a call record (the engine fills it in as the call progresses). */
export type CallPatch = Partial<Pick<CallRecord, 'agentId' | 'answeredAt' | 'endedAt' | 'disposition' | 'legs' | 'flowPath' | 'quality' | 'number'>>;

/** Filters of {@link CallsRepo.list}. */
export interface CallFilter {
  agentId?: string;
  customer?: string;
}

/** Call detail records, newest first. */
export class CallsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Inserts a call record. @throws {NotFoundError} unknown tenant; {ConflictError} naming `id` for a duplicate id. */
  async insert(call: NewCall): Promise<CallRecord> {
    const now = this.#ctx.now();
    const row: CallsTable = {
      id: call.id ?? newId('call', now),
      tenant_id: call.tenantId,
      direction: call.direction,
      customer: call.customer,
      number: call.number ?? null,
      agent_id: call.agentId ?? null,
      started_at: call.startedAt ?? now,
      answered_at: call.answeredAt ?? null,
      ended_at: call.endedAt ?? null,
      disposition: call.disposition ?? null,
      legs: toJson(call.legs ?? []),
      flow_path: toJson(call.flowPath ?? []),
      quality: toJson(call.quality ?? {}),
    };
    await guarded('tenant', () => this.#ctx.db.insertInto('calls').values(row).execute());
    return callOf(row);
  }

  /** Updates a call record. @throws {NotFoundError} */
  async update(tenantId: string, id: string, patch: CallPatch): Promise<CallRecord> {
    const set: Partial<CallsTable> = {};
    if (patch.agentId !== undefined) set.agent_id = patch.agentId;
    if (patch.number !== undefined) set.number = patch.number;
    if (patch.answeredAt !== undefined) set.answered_at = patch.answeredAt;
    if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
    if (patch.disposition !== undefined) set.disposition = patch.disposition;
    if (patch.legs !== undefined) set.legs = toJson(patch.legs);
    if (patch.flowPath !== undefined) set.flow_path = toJson(patch.flowPath);
    if (patch.quality !== undefined) set.quality = toJson(patch.quality);
    if (Object.keys(set).length === 0) {
      const cur = await this.get(tenantId, id);
      if (cur === undefined) throw new NotFoundError('call');
      return cur;
    }
    const r = await guarded('call', () => this.#ctx.db.updateTable('calls').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst());
    if (r === undefined) throw new NotFoundError('call');
    return callOf(r);
  }

  /** A call of the tenant, or `undefined`. */
  async get(tenantId: string, id: string): Promise<CallRecord | undefined> {
    const r = await this.#ctx.db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && callOf(r);
  }

  /** The tenant's calls, newest first, paginated and optionally filtered. */
  async list(tenantId: string, req?: PageRequest, filter: CallFilter = {}): Promise<Page<CallRecord>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (filter.agentId !== undefined) q = q.where('agent_id', '=', filter.agentId);
    if (filter.customer !== undefined) q = q.where('customer', '=', filter.customer);
    if (req?.cursor) {
      const [at, id] = decodeCursor(req.cursor, ['n', 's']) as [number, string];
      q = q.where((eb) => eb.or([eb('started_at', '<', at), eb.and([eb('started_at', '=', at), eb('id', '<', id)])]));
    }
    return toPage(await q.execute(), limit, callOf, (r) => [Number(r.started_at), r.id]);
  }
}

function recordingOf(r: RecordingsTable): Recording {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    callId: r.call_id,
    path: r.path,
    format: r.format,
    channels: Number(r.channels),
    sampleRate: Number(r.sample_rate),
    durationMs: Number(r.duration_ms),
    sizeBytes: Number(r.size_bytes),
    createdAt: Number(r.created_at),
  };
}

/** Fields of a new recording. */
export type NewRecording = Omit<Recording, 'id' | 'createdAt'> & { createdAt?: number };

/** Recording metadata (the audio is a file under the data directory). Newest first. */
export class RecordingsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Records a recording's metadata.
   * @throws {ValidationError} naming `path` when it is absolute or climbs out of the data directory.
   */
  async insert(rec: NewRecording): Promise<Recording> {
    if (rec.path.startsWith('/') || rec.path.split(/[\\/]/).includes('..') || rec.path.length === 0) {
      throw new ValidationError('path', 'must be relative to the data directory, without ".."');
    }
    const now = this.#ctx.now();
    const row: RecordingsTable = {
      id: newId('rec', now),
      tenant_id: rec.tenantId,
      call_id: rec.callId,
      path: rec.path,
      format: rec.format,
      channels: rec.channels,
      sample_rate: rec.sampleRate,
      duration_ms: rec.durationMs,
      size_bytes: rec.sizeBytes,
      created_at: rec.createdAt ?? now,
    };
    await guarded('tenant', () => this.#ctx.db.insertInto('recordings').values(row).execute());
    return recordingOf(row);
  }

  /** A recording of the tenant, or `undefined`. */
  async get(tenantId: string, id: string): Promise<Recording | undefined> {
    const r = await this.#ctx.db.selectFrom('recordings').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && recordingOf(r);
  }

  /** The tenant's recordings, newest first, paginated; optionally of one call. */
  async list(tenantId: string, req?: PageRequest, filter: { callId?: string } = {}): Promise<Page<Recording>> {
    const limit = pageSize(req);
    let q = this.#ctx.db.selectFrom('recordings').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
    if (filter.callId !== undefined) q = q.where('call_id', '=', filter.callId);
    if (req?.cursor) q = q.where('id', '<', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, recordingOf, (r) => [r.id]);
  }
}

function conversationOf(r: ConversationsTable): Conversation {
  return { id: r.id, tenantId: r.tenant_id, customer: r.customer, createdAt: Number(r.created_at), lastMessageAt: Number(r.last_message_at) };
}

function messageOf(r: MessagesTable, customer: string): Message {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    conversationId: r.conversation_id,
    customer,
    kind: r.kind as MessageKind,
    callId: r.call_id,
    agentId: r.agent_id,
    body: fromJson<JsonObject>(r.body, {}),
    createdAt: Number(r.created_at),
  };
}

/** Fields of a new message. */
export interface NewMessage {
  kind: MessageKind;
  callId?: string | null;
  agentId?: string | null;
  body: JsonObject;
  createdAt?: number;
}

/** One conversation per (tenant, customer number), holding incoming-call notices, transcripts and notes. */
export class ConversationsRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Appends a message to the customer's conversation, creating the conversation on first use.
   * @throws {ValidationError} naming `customer`; {NotFoundError} for an unknown tenant.
   */
  async addMessage(tenantId: string, customer: string, msg: NewMessage): Promise<Message> {
    const c = normalizeNumber(customer, 'customer');
    const now = msg.createdAt ?? this.#ctx.now();
    return guarded('tenant', () =>
      atomically(this.#ctx, async (db) => {
        let conv = await db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('customer', '=', c).executeTakeFirst();
        if (conv === undefined) {
          conv = { id: newId('cnv', now), tenant_id: tenantId, customer: c, created_at: now, last_message_at: now };
          await db.insertInto('conversations').values(conv).execute();
        } else {
          await db.updateTable('conversations').set({ last_message_at: now }).where('id', '=', conv.id).execute();
        }
        const row: MessagesTable = {
          id: newId('msg', now),
          tenant_id: tenantId,
          conversation_id: conv.id,
          kind: msg.kind,
          call_id: msg.callId ?? null,
          agent_id: msg.agentId ?? null,
          body: toJson(msg.body),
          created_at: now,
        };
        await db.insertInto('messages').values(row).execute();
        return messageOf(row, c);
      }),
    );
  }

  /** The customer's conversation, or `undefined`. */
  async get(tenantId: string, customer: string): Promise<Conversation | undefined> {
    let c: string;
    try {
      c = normalizeNumber(customer, 'customer');
    } catch {
      return undefined;
    }
    const r = await this.#ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('customer', '=', c).executeTakeFirst();
    return r && conversationOf(r);
  }

  /** The tenant's conversations, most recently active first, paginated. */
  async list(tenantId: string, req?: PageRequest): Promise<Page<Conversation>> {
    const limit = pageSize(req);
    let q = this.#ctx.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('last_message_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (req?.cursor) {
      const [at, id] = decodeCursor(req.cursor, ['n', 's']) as [number, string];
      q = q.where((eb) => eb.or([eb('last_message_at', '<', at), eb.and([eb('last_message_at', '=', at), eb('id', '<', id)])]));
    }
    return toPage(await q.execute(), limit, conversationOf, (r) => [Number(r.last_message_at), r.id]);
  }

  /** The customer's messages, oldest first, paginated. @throws {NotFoundError} when there is no conversation. */
  async messages(tenantId: string, customer: string, req?: PageRequest): Promise<Page<Message>> {
    const limit = pageSize(req);
    const conv = await this.get(tenantId, customer);
    if (conv === undefined) throw new NotFoundError('conversation');
    let q = this.#ctx.db.selectFrom('messages').selectAll().where('conversation_id', '=', conv.id).orderBy('id').limit(limit + 1);
    if (req?.cursor) q = q.where('id', '>', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, (r) => messageOf(r, conv.customer), (r) => [r.id]);
  }
}

function affinityOf(r: AffinityTable): Affinity {
  return { tenantId: r.tenant_id, customer: r.customer, agentId: r.agent_id, callId: r.call_id, updatedAt: Number(r.updated_at) };
}

/** Customer → the agent who last served them (DESIGN.md §1: "transfer to the customer's last agent"). */
export class AffinityRepo {
  readonly #ctx: RepoContext;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Records that `agentId` served `customer` (replaces the previous agent). @throws {ValidationError} {NotFoundError} */
  async set(tenantId: string, customer: string, agentId: string, callId: string | null = null, at = this.#ctx.now()): Promise<Affinity> {
    const c = normalizeNumber(customer, 'customer');
    const row: AffinityTable = { tenant_id: tenantId, customer: c, agent_id: agentId, call_id: callId, updated_at: at };
    await guarded('agent', () =>
      this.#ctx.db
        .insertInto('affinity')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'customer']).doUpdateSet({ agent_id: agentId, call_id: callId, updated_at: at }))
        .execute(),
    );
    return affinityOf(row);
  }

  /** The customer's last agent, or `undefined`. */
  async get(tenantId: string, customer: string): Promise<Affinity | undefined> {
    let c: string;
    try {
      c = normalizeNumber(customer, 'customer');
    } catch {
      return undefined;
    }
    const r = await this.#ctx.db.selectFrom('affinity').selectAll().where('tenant_id', '=', tenantId).where('customer', '=', c).executeTakeFirst();
    return r && affinityOf(r);
  }
}
